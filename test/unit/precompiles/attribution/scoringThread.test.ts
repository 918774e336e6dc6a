// The scoring thread scores the indexed mode of the sets given to it with the answers the main
// thread gives, and the sets fall back to the main thread when it fails.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CandidateSet, DEFAULT_IVF, ScoringThread } from '../../../../precompiles/attribution/index.ts'
import { clusteredSketches } from '../../../../bench/lib/sketches.ts'

const ivf = { ...DEFAULT_IVF, lists: 64, probeRows: 300, seed: new Uint8Array(32).fill(4) }

test('a set held by the scoring thread gives the answers of the same set scored here, batch after batch, and here again once the thread has failed', async () => {
  const dim = 72
  const data = clusteredSketches({ n: 5000, dim, seed: 8 })
  const thread = new ScoringThread()
  const here = await CandidateSet.build(data.rows, dim, 32, { kernel: 'wasm', intraOpNumThreads: 1, ivf })
  const there = await CandidateSet.build(data.rows, dim, 32, { kernel: 'wasm', intraOpNumThreads: 1, ivf, thread })
  // a second set on the same thread: answers never cross between sets
  const other = clusteredSketches({ n: 3000, dim, seed: 9 })
  const otherHere = await CandidateSet.build(other.rows, dim, 16, { kernel: 'wasm', intraOpNumThreads: 1, ivf })
  const otherThere = await CandidateSet.build(other.rows, dim, 16, { kernel: 'wasm', intraOpNumThreads: 1, ivf, thread })
  assert.equal(here.threaded, false)
  assert.equal(there.threaded, true)
  for (const seed of [1, 2, 3]) {
    const queries = data.queries(100, seed)
    const want = await here.scoreBatch(queries, 'indexed')
    assert.ok(want.every((top) => top.length === 32))
    // concurrent batches on both sets, as chunks scored ahead are
    const [got, gotOther] = await Promise.all([there.scoreBatch(queries, 'indexed'), otherThere.scoreBatch(queries, 'indexed')])
    assert.deepEqual(got, want)
    assert.deepEqual(gotOther, await otherHere.scoreBatch(queries, 'indexed'))
  }
  // the exact mode is not the thread's: scored here, the same
  const few = data.queries(4, 7)
  assert.deepEqual(await there.scoreBatch(few, 'exact'), await here.scoreBatch(few, 'exact'))

  await thread.close()
  assert.ok(thread.failure !== undefined)
  const queries = data.queries(50, 11)
  assert.deepEqual(await there.scoreBatch(queries, 'indexed'), await here.scoreBatch(queries, 'indexed'))
  assert.equal(there.threaded, false, 'the set is scored here from now on')
  // a set built after the thread failed is not given to it
  const late = await CandidateSet.build(data.rows, dim, 32, { kernel: 'wasm', intraOpNumThreads: 1, ivf, thread })
  assert.equal(late.threaded, false)
  assert.deepEqual(await late.scoreBatch(queries, 'indexed'), await here.scoreBatch(queries, 'indexed'))
})

test('a batch for a set the thread does not hold is refused, not answered for another set', async () => {
  const thread = new ScoringThread()
  try {
    await assert.rejects(thread.score(99, new Int8Array(72), 72), /not held/)
    assert.equal(thread.failure, undefined, 'a refused batch does not stop the thread')
  } finally {
    await thread.close()
  }
})
