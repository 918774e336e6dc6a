import { test } from 'node:test'
import assert from 'node:assert/strict'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { CandidateSet, DEFAULT_IVF, DEFAULT_LSH, IvfIndex, Projector, TopK, WasmKernel, prngBytes, scoreReference } from '../../../../precompiles/attribution/index.ts'
import type { CandidateSetOptions, IvfParams, LshParams, Scored } from '../../../../precompiles/attribution/index.ts'
import { clusteredSketches } from '../../../../bench/lib/sketches.ts'

const seed = new Uint8Array(32).fill(9)
const digest = (results: Scored[][]) => Buffer.from(keccak_256(new TextEncoder().encode(JSON.stringify(results)))).toString('hex')

test('the WebAssembly projections and dot products are exact, also when dim is not a multiple of 16', async () => {
  for (const dim of [72, 128]) {
    const rows = Int8Array.from(prngBytes(Uint8Array.of(dim), 300 * dim))
    rows.fill(-128, 0, dim)
    rows.fill(127, dim, 2 * dim)
    // 22 planes: four at a time, then two one at a time; 299 vectors in chunks of 64: two at a
    // time, the last alone
    const planes = Int8Array.from(prngBytes(Uint8Array.of(dim, 1), 22 * dim))
    const z = (await Projector.create(planes, dim, 64)).project(rows.subarray(0, 299 * dim))
    assert.equal(z.length, 299 * 22)
    for (let v = 0; v < 299; v++) {
      for (let p = 0; p < 22; p++) {
        let s = 0
        for (let j = 0; j < dim; j++) s += rows[v * dim + j] * planes[p * dim + j]
        assert.equal(z[v * 22 + p], s, `dim ${dim}, vector ${v}, plane ${p}`)
      }
    }
    const wasm = await WasmKernel.create(rows, dim)
    for (const q of [rows.subarray(0, dim), rows.subarray(dim, 2 * dim), rows.subarray(7 * dim, 8 * dim)]) {
      const want = scoreReference(rows, dim, q, 10)
      assert.deepEqual(wasm.top(q, 10), want)
      // any order, any count (not a multiple of 4)
      assert.deepEqual(wasm.gather(q, Int32Array.from({ length: 299 }, (_, i) => 298 - i), 10), scoreReference(rows.subarray(0, 299 * dim), dim, q, 10))
    }
  }
})

/**
 * One index, built twice for WebAssembly and once for JS: the same answers, a batch of one as
 * inside a batch, and at least `minRecall` of the exact top 32.
 */
async function agreeAcrossKernels(rows: Int8Array, dim: number, queries: Int8Array, index: Pick<CandidateSetOptions, 'ivf' | 'lsh'>, minRecall: number): Promise<void> {
  const label = JSON.stringify(index, (_, v: unknown) => (v instanceof Uint8Array ? undefined : v))
  const wasm = await CandidateSet.build(rows, dim, 32, { kernel: 'wasm', intraOpNumThreads: 1, ...index })
  const again = await CandidateSet.build(rows, dim, 32, { kernel: 'wasm', intraOpNumThreads: 1, ...index })
  const js = await CandidateSet.build(rows, dim, 32, { kernel: 'js', intraOpNumThreads: 1, ...index })
  const got = await wasm.scoreBatch(queries, 'indexed')
  assert.deepEqual(await again.scoreBatch(queries, 'indexed'), got, `${label}: two builds`)
  assert.deepEqual(await js.scoreOne(queries.subarray(5 * dim, 6 * dim), 'indexed'), got[5], `${label}: a batch of one`)
  assert.deepEqual(await js.scoreBatch(queries, 'indexed'), got, `${label}: JS and WebAssembly`)
  const exact = await wasm.scoreBatch(queries, 'exact')
  let hit = 0
  exact.forEach((e, q) => { const found = new Set(got[q].map((s) => s.index)); hit += e.filter((s) => found.has(s.index)).length })
  assert.ok(hit / exact.flat().length > minRecall, `${label}: recall ${hit / exact.flat().length}`)
}

test('indexed: JS and WebAssembly agree, build after build, for every index (LSH: both probe orders)', async () => {
  const dim = 72
  const data = clusteredSketches({ n: 6000, dim, seed: 5 })
  const queries = data.queries(64, 6)
  const lsh: LshParams[] = [
    { bits: 10, tables: 6, radius: 1, seed },
    { bits: 12, tables: 8, radius: 3, probes: 12, seed },
    { ...DEFAULT_LSH, seed },
  ]
  for (const params of lsh) await agreeAcrossKernels(data.rows, dim, queries, { lsh: params }, 0.5)
  const ivf: IvfParams[] = [
    { lists: 32, probeRows: 400, iterations: 3, seed },
    { lists: 200, probeRows: 150, iterations: 0, seed },
    { ...DEFAULT_IVF, seed },
  ]
  for (const params of ivf) await agreeAcrossKernels(data.rows, dim, queries, { ivf: params }, 0.6)
})

/**
 * The digest of an index's answers on data from the keccak PRNG only, so that a pin moves only
 * when the index does: 4,000 rows around 50 centres, 40 queries each a row (every 97th) plus noise.
 */
async function pinnedDigest(index: Pick<CandidateSetOptions, 'ivf' | 'lsh'>): Promise<string> {
  const dim = 64
  const centres = prngBytes(Uint8Array.of(11), 50 * dim)
  const noise = prngBytes(Uint8Array.of(12), 4000 * dim)
  const signed = (b: number) => (b << 24) >> 24
  const clamp = (v: number) => Math.max(-128, Math.min(127, v))
  const rows = Int8Array.from({ length: 4000 * dim }, (_, x) => clamp(signed(centres[(Math.floor(x / dim) % 50) * dim + (x % dim)]) + (signed(noise[x]) >> 2)))
  const set = await CandidateSet.build(rows, dim, 16, { kernel: 'wasm', intraOpNumThreads: 1, ...index })
  const queries = Int8Array.from(prngBytes(Uint8Array.of(13), 40 * dim), (b, x) => clamp(rows[Math.floor(x / dim) * 97 * dim + (x % dim)] + (signed(b) >> 3)))
  const got = await set.scoreBatch(queries, 'indexed')
  assert.ok(got.every((r) => r.length === 16))
  return digest(got)
}

test('indexed results are pinned: the projections and the probe order are part of consensus', async () => {
  assert.equal(await pinnedDigest({ lsh: { bits: 11, tables: 5, radius: 2, probes: 6, seed } }), 'f8b6728f6e99edd5325e8520bb92783763edbb9ad921193a3ff47abb301365ea')
})

test('indexed equals exact, ties included, when the probes cover every candidate (LSH: every bucket)', async () => {
  const dim = 32
  const base = Int8Array.from(prngBytes(Uint8Array.of(3), 50 * dim))
  // duplicates tie at every rank; the lower index must win, as in a full scan
  const rows = new Int8Array(400 * dim)
  for (let i = 0; i < 400; i++) rows.set(base.subarray((i % 50) * dim, (i % 50 + 1) * dim), i * dim)
  const indexes: Array<Pick<CandidateSetOptions, 'ivf' | 'lsh'>> = [{ lsh: { bits: 3, tables: 2, radius: 3, seed } }, { ivf: { lists: 8, probeRows: 400, iterations: 2, seed } }]
  for (const index of indexes) {
    for (const kernel of ['js', 'wasm'] as const) {
      const set = await CandidateSet.build(rows, dim, 12, { kernel, intraOpNumThreads: 1, ...index })
      const queries = rows.subarray(0, 20 * dim)
      assert.deepEqual(await set.scoreBatch(queries, 'indexed'), await set.scoreBatch(queries, 'exact'), `${Object.keys(index)[0]}, ${kernel}`)
    }
  }
})


test('the kernel\'s top k over ranges of a permuted order keeps what TopK keeps, ties at the k-th place included', async () => {
  const dim = 16
  const n = 5000
  // one non-zero byte per row, from a small range: many equal scores, some not positive
  const bytes = prngBytes(Uint8Array.of(21), n)
  const rows = new Int8Array(n * dim)
  for (let p = 0; p < n; p++) rows[p * dim] = (bytes[p] % 40) - 5
  const query = new Int8Array(dim)
  query[0] = 1
  // row p stands for candidate order[p]: a shuffled order, so candidates arrive in no index order
  const order = Int32Array.from({ length: n }, (_, p) => (p * 7919) % n)
  const wasm = await WasmKernel.create(rows, dim)
  wasm.attachOrder(order, 16)
  // ranges of every length modulo 4, out of order, leaving some rows out
  const ranges = Int32Array.of(4000, 999, 0, 1, 1, 702, 2000, 1003, 703, 1297)
  for (const k of [1, 7, 32, 256]) {
    const heap = new TopK(k)
    for (let r = 0; r < ranges.length; r += 2) for (let p = ranges[r]; p < ranges[r] + ranges[r + 1]; p++) heap.offer(order[p], rows[p * dim])
    assert.deepEqual(wasm.topOfRanges(query, ranges, k), heap.result(), `k = ${k}`)
  }
  assert.deepEqual(wasm.top(query, 50), scoreReference(rows, dim, query, 50), 'the full scan, in candidate order')
  assert.throws(() => wasm.topOfRanges(query, new Int32Array(34), 8), /at most 16 ranges/)
})

test('ivf: the index is a partition of the candidates, built the same way twice', async () => {
  const dim = 48
  const data = clusteredSketches({ n: 5000, dim, seed: 8 })
  const params: IvfParams = { lists: 64, probeRows: 300, iterations: 4, seed }
  const a = await IvfIndex.build(data.rows, dim, params)
  const b = await IvfIndex.build(data.rows, dim, params)
  assert.deepEqual(a.order, b.order)
  assert.deepEqual(a.centres, b.centres)
  assert.equal(a.lists, 64)
  assert.deepEqual([...a.order].sort((x, y) => x - y), Array.from({ length: 5000 }, (_, i) => i), 'every candidate in exactly one cluster')
  for (let c = 0; c < a.lists; c++) {
    const members = a.order.subarray(a.first[c], a.first[c + 1])
    for (let i = 1; i < members.length; i++) assert.ok(members[i - 1] < members[i], 'ascending within a cluster')
  }
  // few candidates make few clusters: at most one per 64
  assert.equal((await IvfIndex.build(data.rows.subarray(0, 1000 * dim), dim, params)).lists, 15)
})

test('ivf results are pinned: the k-means and the probe order are part of consensus', async () => {
  assert.equal(await pinnedDigest({ ivf: { lists: 40, probeRows: 200, iterations: 3, seed } }), '50f78a84dac2c132231fa0f40f4391dcab0c6c6b971627059cbd3bf4bc5c455b')
})
