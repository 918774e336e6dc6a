import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Address } from '@ethereumjs/util'
import { ChainError } from '../../../chain/index.ts'
import { DEAD, fixedGenesis, openChain, openNode, tempDir, transfer } from './fixtures.ts'

const balanceOf = async (chain: Awaited<ReturnType<typeof openChain>>, hex: string, n?: bigint) => {
  const header = await chain.header(n ?? 'latest')
  const state = await chain.stateAt(header!)
  return (await state.getAccount(new Address(Buffer.from(hex.slice(2), 'hex'))))?.balance ?? 0n
}

test('a restart resumes at the committed head with the same state root', async () => {
  const { chain, pool, producer, dataDir, genesis } = await openNode()
  await pool.addRaw([transfer(chain, { nonce: 0, value: 5n }).serialize(), transfer(chain, { nonce: 1, value: 7n }).serialize()])
  const made = await producer.produce({ allowEmpty: false })
  assert.equal(made?.block.transactions.length, 2)
  const head = chain.head
  await chain.close()
  const again = await openChain(dataDir, genesis)
  assert.equal(again.head.number, 1n)
  assert.deepEqual(again.head.hash(), head.hash())
  assert.deepEqual(again.head.stateRoot, head.stateRoot)
  assert.equal(await balanceOf(again, DEAD), 12n)
  const tx = await again.transaction(made!.block.transactions[1].hash())
  assert.equal(tx?.index, 1)
  assert.equal(tx?.blockNumber, 1n)
  await again.close()
})

test('opening a data directory with a different genesis is refused', async () => {
  const dir = tempDir()
  const chain = await openChain(dir, fixedGenesis())
  await chain.close()
  await assert.rejects(openChain(dir, fixedGenesis({ gasLimit: 29_000_000n })), (e: unknown) => e instanceof ChainError && e.code === 'GENESIS_MISMATCH')
})

test('historical state: past blocks answer inside the window, older ones need --archive', async () => {
  const { chain, pool, producer } = await openNode()
  for (let i = 0; i < 4; i++) {
    await pool.addRaw([transfer(chain, { nonce: i, value: 1n }).serialize()])
    await producer.produce({ allowEmpty: false })
  }
  assert.equal(await balanceOf(chain, DEAD, 1n), 1n)
  assert.equal(await balanceOf(chain, DEAD, 3n), 3n)
  assert.equal(await balanceOf(chain, DEAD), 4n)
  await chain.close()
})

test('state outside the retained window is refused with a clear error', async () => {
  const dir = tempDir()
  const { chain, producer } = await openNode(dir)
  for (let i = 0; i < 5; i++) await producer.produce({ allowEmpty: true })
  await chain.close()
  const windowed = await openChain(dir, fixedGenesis(), { stateWindow: 2 })
  await assert.rejects(windowed.stateAt((await windowed.header(1n))!), /not available.*--archive/)
  assert.ok(await windowed.stateAt((await windowed.header(3n))!))
  await windowed.close()
  const archive = await openChain(dir, fixedGenesis(), { stateWindow: 2, archive: true })
  assert.ok(await archive.stateAt((await archive.header(0n))!))
  await archive.close()
})

test('rewind makes an earlier block the head and forgets later transactions', async () => {
  const { chain, pool, producer } = await openNode()
  await pool.addRaw([transfer(chain, { nonce: 0 }).serialize()])
  await producer.produce({ allowEmpty: false })
  const tx = transfer(chain, { nonce: 1 })
  await pool.addRaw([tx.serialize()])
  await producer.produce({ allowEmpty: false })
  assert.ok(await chain.transaction(tx.hash()))
  await chain.rewind(1n)
  assert.equal(chain.head.number, 1n)
  assert.equal(await chain.transaction(tx.hash()), undefined)
  assert.equal(await chain.header(2n), undefined)
  assert.equal(await balanceOf(chain, DEAD), 1n)
  // the producer builds on the rewound head
  await pool.onNewHead()
  await pool.addRaw([tx.serialize()])
  const made = await producer.produce({ allowEmpty: false })
  assert.equal(made?.block.header.number, 2n)
  assert.equal(await balanceOf(chain, DEAD), 2n)
  await chain.close()
})

test('blocks resolve by number, hash and tag; beyond the head is nothing', async () => {
  const { chain, producer } = await openNode()
  const made = await producer.produce({ allowEmpty: true })
  assert.deepEqual((await chain.header({ hash: made!.block.hash() }))?.number, 1n)
  assert.equal((await chain.header('earliest'))?.number, 0n)
  assert.equal((await chain.header('latest'))?.number, 1n)
  assert.equal(await chain.header(2n), undefined)
  assert.equal(await chain.header({ hash: new Uint8Array(32) }), undefined)
  await chain.close()
})
