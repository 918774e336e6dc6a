import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ChainError } from '../../../chain/index.ts'
import { Bucket } from '../../../chain/db/buckets.ts'
import { ContributionStatsIndex } from '../../../chain/db/contributionStats.ts'
import { openLevel } from '../../../chain/db/level.ts'
import type { Level } from '../../../chain/db/level.ts'
import type { ContributionEarning } from '../../../precompiles/artifacts.ts'
import { tempDir } from './fixtures.ts'

const earning = (contributionId: bigint, earned: bigint, candidateAtLastEarn: bigint, datanetEarningAtLastEarn = 1n): ContributionEarning => ({ contributionId, earned, candidateAtLastEarn, datanetEarningAtLastEarn })
const row = (earned: bigint, candidateAtLastEarn: bigint, datanetEarningAtLastEarn = 1n) => ({ earned, candidateAtLastEarn, datanetEarningAtLastEarn })
const ZERO = row(0n, 0n, 0n)

async function commit(db: Level, index: ContributionStatsIndex, block: bigint, earnings: ContributionEarning[]): Promise<void> {
  const change = index.commit(block, earnings)
  await db.batch(change.ops)
  change.apply()
}

async function rewind(db: Level, index: ContributionStatsIndex, head: bigint, to: bigint): Promise<void> {
  const change = await index.rewind(head, to)
  await db.batch(change.ops)
  change.apply()
}

test('earnings add up across batches and blocks; the last earning sets the counters; rows survive a reopen', async () => {
  const dir = tempDir()
  let db = await openLevel(dir)
  let index = await ContributionStatsIndex.open(db, undefined)
  // two settlement batches in block 1 both pay contribution 7
  await commit(db, index, 1n, [earning(7n, 10n, 4n), earning(9n, 5n, 4n), earning(7n, 3n, 6n, 2n)])
  const pending = index.commit(2n, [earning(7n, 100n, 9n)])
  assert.deepEqual(index.get(7n), row(13n, 6n, 2n), 'nothing changes before the batch is written')
  await db.batch(pending.ops)
  pending.apply()
  assert.deepEqual(index.get(7n), row(113n, 9n))
  assert.deepEqual(index.get(9n), row(5n, 4n))
  assert.deepEqual(index.get(8n), ZERO)
  await db.close()
  db = await openLevel(dir)
  index = await ContributionStatsIndex.open(db, undefined)
  assert.deepEqual(index.get(7n), row(113n, 9n))
  assert.deepEqual(index.get(9n), row(5n, 4n))
  await db.close()
})

test('a rewind restores every row as it was at the target block, on disk too', async () => {
  const dir = tempDir()
  let db = await openLevel(dir)
  let index = await ContributionStatsIndex.open(db, undefined)
  await commit(db, index, 1n, [earning(1n, 10n, 1n)])
  await commit(db, index, 2n, [])
  await commit(db, index, 3n, [earning(1n, 5n, 3n), earning(2n, 7n, 3n)])
  await commit(db, index, 4n, [earning(2n, 1n, 4n)])
  await rewind(db, index, 4n, 2n)
  assert.deepEqual(index.get(1n), row(10n, 1n))
  assert.deepEqual(index.get(2n), ZERO)
  // the chain goes on from block 2 on another branch
  await commit(db, index, 3n, [earning(2n, 2n, 5n)])
  assert.deepEqual(index.get(2n), row(2n, 5n))
  await db.close()
  db = await openLevel(dir)
  index = await ContributionStatsIndex.open(db, undefined)
  assert.deepEqual(index.get(1n), row(10n, 1n))
  assert.deepEqual(index.get(2n), row(2n, 5n))
  await rewind(db, index, 3n, 0n)
  assert.deepEqual([index.get(1n), index.get(2n)], [ZERO, ZERO])
  await db.close()
})

test('changesets older than the history window are dropped, and a rewind past them is refused', async () => {
  const db = await openLevel(tempDir())
  const index = await ContributionStatsIndex.open(db, 2n)
  for (let b = 1n; b <= 5n; b++) await commit(db, index, b, [earning(1n, 1n, b)])
  await assert.rejects(index.rewind(5n, 2n), (e: unknown) => e instanceof ChainError && e.code === 'STATE_UNAVAILABLE' && /from 4 on/.test(e.message))
  assert.deepEqual(index.get(1n), row(5n, 5n), 'a refused rewind changes nothing')
  await rewind(db, index, 5n, 3n)
  assert.deepEqual(index.get(1n), row(3n, 3n))
  let changesets = 0
  for await (const _ of db.keys({ gte: Uint8Array.of(Bucket.contributionStatsUndo), lt: Uint8Array.of(Bucket.contributionStatsUndo + 1) })) changesets++
  assert.equal(changesets, 0, 'the window held blocks 4 and 5, both undone')
  await db.close()
})
