import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AttestationBook } from '../../../chain/index.ts'
import { devAccount } from '../../../genesis/index.ts'
import { fixedGenesis, openNode, tempDir } from './fixtures.ts'

const v = (i: number) => devAccount(11 + i).address
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'))

test('a block becomes safe when a quorum of validators attests our block and state root', async () => {
  const genesis = fixedGenesis({ validators: [v(0), v(1), v(2)], validatorQuorum: 2 })
  const dir = tempDir()
  const { chain, producer } = await openNode(dir, genesis)
  for (let i = 0; i < 3; i++) await producer.produce({ allowEmpty: true })
  const book = new AttestationBook(chain, chain.database, genesis.validators, genesis.validatorQuorum)
  const h2 = (await chain.header(2n))!
  const att = (i: number, over: Partial<{ blockHash: Uint8Array; stateRoot: Uint8Array }> = {}) => ({
    validator: bytes(v(i)), blockNumber: 2n, blockHash: h2.hash(), stateRoot: h2.stateRoot, signature: new Uint8Array(65), ...over,
  })
  assert.equal(chain.safeNumber, 0n)
  assert.equal(await book.add(att(0)), 'counted')
  assert.equal(await book.add(att(0)), 'duplicate')
  assert.equal(await book.add({ ...att(1), validator: bytes(devAccount(0).address) }), 'unknown-validator')
  assert.equal(await book.add(att(1, { stateRoot: new Uint8Array(32) })), 'mismatch')
  assert.equal(chain.safeNumber, 0n, 'one honest attestation is not a quorum')
  assert.equal(await book.add(att(2)), 'counted')
  assert.equal(chain.safeNumber, 2n)
  assert.equal((await chain.header('safe'))?.number, 2n)
  assert.equal((await book.of(2n)).length, 2)
  await chain.close()
  // the safe head and the attestations survive a restart
  const again = await openNode(dir, genesis)
  const book2 = new AttestationBook(again.chain, again.chain.database, genesis.validators, genesis.validatorQuorum)
  await book2.load()
  assert.equal(again.chain.safeNumber, 2n)
  assert.equal((await book2.of(2n)).length, 2)
  await again.chain.close()
})

test('without validators every committed block is safe; finalized trails by the finality depth', async () => {
  const { chain, producer } = await openNode()
  for (let i = 0; i < 3; i++) await producer.produce({ allowEmpty: true })
  assert.equal(chain.safeNumber, 3n)
  assert.equal(chain.finalizedNumber, 0n)
  await chain.close()
})
