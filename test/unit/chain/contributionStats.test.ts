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
  let index = await ContributionStatsIndex.open(db, 0n, false)
  // two settlement batches in block 1 both pay contribution 7
  await commit(db, index, 1n, [earning(7n, 10n, 4n), earning(9n, 5n, 4n), earning(7n, 3n, 6n, 2n)])
  // an id past 32 bits and an amount past 64 bits take the log's wide paths
  const BIG_ID = 2n ** 40n + 5n
  const RICH = 2n ** 70n + 3n
  const pending = index.commit(2n, [earning(7n, 100n, 9n), earning(BIG_ID, RICH, 2n ** 64n + 9n)])
  assert.deepEqual(index.get(7n), row(13n, 6n, 2n), 'nothing changes before the batch is written')
  await db.batch(pending.ops)
  pending.apply()
  assert.deepEqual(index.get(7n), row(113n, 9n))
  assert.deepEqual(index.get(9n), row(5n, 4n))
  assert.deepEqual(index.get(8n), ZERO)
  await db.close()
  // before any checkpoint: the logs of blocks 1 and 2, replayed
  db = await openLevel(dir)
  index = await ContributionStatsIndex.open(db, 2n, false)
  assert.deepEqual(index.get(7n), row(113n, 9n))
  assert.deepEqual(index.get(9n), row(5n, 4n))
  // counters are kept modulo 2^64
  assert.deepEqual(index.get(BIG_ID), row(RICH, 9n))
  await db.close()
})

test('a checkpoint writes the rows and drops the logs it took in; a restart replays only what came after', async () => {
  const dir = tempDir()
  let db = await openLevel(dir)
  let index = await ContributionStatsIndex.open(db, 0n, false)
  for (let b = 1n; b <= 130n; b++) await commit(db, index, b, [earning(b % 3n, 1n, b)])
  assert.equal(await count(db, Bucket.contributionStatsLog), 2, 'the logs of blocks 129 and 130')
  assert.equal(await count(db, Bucket.contributionStats), 3)
  await db.close()
  db = await openLevel(dir)
  index = await ContributionStatsIndex.open(db, 130n, false)
  assert.deepEqual([index.get(0n), index.get(1n), index.get(2n)], [row(43n, 129n), row(44n, 130n), row(43n, 128n)])
  // back to the checkpoint and on: fine; before it: the logs are gone
  await assert.rejects(index.rewind(130n, 127n), (e: unknown) => e instanceof ChainError && e.code === 'STATE_UNAVAILABLE')
  assert.deepEqual(index.get(1n), row(44n, 130n), 'a refused rewind changes nothing')
  await rewind(db, index, 130n, 128n)
  assert.deepEqual([index.get(0n), index.get(1n), index.get(2n)], [row(42n, 126n), row(43n, 127n), row(43n, 128n)])
  assert.equal(await count(db, Bucket.contributionStatsLog), 0)
  await db.close()
})

test('with every log kept, a rewind to any block restores every row as it was, on disk too', async () => {
  const dir = tempDir()
  let db = await openLevel(dir)
  let index = await ContributionStatsIndex.open(db, 0n, true)
  await commit(db, index, 1n, [earning(1n, 10n, 1n)])
  await commit(db, index, 2n, [])
  await commit(db, index, 3n, [earning(1n, 5n, 3n), earning(2n, 7n, 3n)])
  for (let b = 4n; b <= 140n; b++) await commit(db, index, b, [earning(2n, 1n, b)])
  // after the checkpoint (block 128)
  await rewind(db, index, 140n, 135n)
  assert.deepEqual(index.get(2n), row(7n + 132n, 135n))
  // before it: rebuilt from the first block
  await rewind(db, index, 135n, 2n)
  assert.deepEqual([index.get(1n), index.get(2n)], [row(10n, 1n), ZERO])
  // the chain goes on from block 2 on another branch
  await commit(db, index, 3n, [earning(2n, 2n, 5n)])
  assert.deepEqual(index.get(2n), row(2n, 5n))
  await db.close()
  db = await openLevel(dir)
  index = await ContributionStatsIndex.open(db, 3n, true)
  assert.deepEqual([index.get(1n), index.get(2n)], [row(10n, 1n), row(2n, 5n)])
  await rewind(db, index, 3n, 0n)
  assert.deepEqual([index.get(1n), index.get(2n)], [ZERO, ZERO])
  await db.close()
})

async function count(db: Level, bucket: number): Promise<number> {
  let n = 0
  for await (const _ of db.keys({ gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1) })) n++
  return n
}
