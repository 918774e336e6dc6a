import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createBlock } from '@ethereumjs/block'
import type { Block } from '@ethereumjs/block'
import { BlockImporter } from '../../../chain/index.ts'
import { openChain, openNode, silent, transfer } from './fixtures.ts'

async function sequencerBlocks(count: number): Promise<Block[]> {
  const { chain, pool, producer } = await openNode()
  const blocks: Block[] = []
  for (let i = 0; i < count; i++) {
    await pool.addRaw([transfer(chain, { nonce: 2 * i, value: 3n }).serialize(), transfer(chain, { from: 1, nonce: i, value: 4n }).serialize(), transfer(chain, { nonce: 2 * i + 1 }).serialize()])
    blocks.push((await producer.produce({ allowEmpty: false }))!.block)
  }
  await chain.close()
  return blocks
}

function tamper(block: Block, header: Record<string, unknown>): Block {
  return createBlock({ header: { ...block.header.toJSON(), ...header }, transactions: block.transactions, withdrawals: [] }, { common: block.common })
}

test('a follower re-executes sequencer blocks and reaches the same state roots', async () => {
  const blocks = await sequencerBlocks(3)
  const follower = await openChain()
  const importer = new BlockImporter(follower, silent)
  await importer.init()
  for (const b of blocks) {
    assert.equal(await importer.import(b), 'imported')
    assert.deepEqual(follower.head.stateRoot, b.header.stateRoot)
    assert.deepEqual(follower.head.hash(), b.hash())
  }
  assert.equal(await importer.import(blocks[1]), 'known')
  const receipts = await follower.receipts(blocks[2].hash())
  assert.equal(receipts?.length, 3)
  await follower.close()
})

test('a block with a wrong state root, gas or transactions is rejected and nothing is stored', async () => {
  const [b1, b2] = await sequencerBlocks(2)
  const follower = await openChain()
  const importer = new BlockImporter(follower, silent)
  await importer.init()
  const badRoot = tamper(b1, { stateRoot: `0x${'ab'.repeat(32)}` })
  const r1 = await importer.import(badRoot)
  assert.ok(typeof r1 === 'object' && 'invalid' in r1 && /state root/.test(r1.invalid), JSON.stringify(r1))
  const badGas = tamper(b1, { gasUsed: '0x1' })
  const r2 = await importer.import(badGas)
  assert.ok(typeof r2 === 'object' && 'invalid' in r2, JSON.stringify(r2))
  const badFee = tamper(b1, { baseFeePerGas: '0x1' })
  const r3 = await importer.import(badFee)
  assert.ok(typeof r3 === 'object' && 'invalid' in r3 && /base fee/.test(r3.invalid), JSON.stringify(r3))
  const badTxs = createBlock({ header: b1.header.toJSON(), transactions: b1.transactions.slice(1), withdrawals: [] }, { common: b1.common })
  const r4 = await importer.import(badTxs)
  assert.ok(typeof r4 === 'object' && 'invalid' in r4, JSON.stringify(r4))
  assert.equal(follower.head.number, 0n)
  assert.equal(await follower.header(1n), undefined)
  assert.deepEqual(await importer.import(b2), { unknownParent: true })
  // the honest block still imports after all that
  assert.equal(await importer.import(b1), 'imported')
  assert.equal(await importer.import(b2), 'imported')
  assert.deepEqual(follower.head.stateRoot, b2.header.stateRoot)
  await follower.close()
})
