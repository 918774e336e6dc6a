import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CandidateSet, GraphRejected, OnnxScorer, defaultGraphTemplate, prngBytes, scoreReference, selfTest, splitByWeight, splitFee, validateScoringGraph, WasmKernel } from '../../../../precompiles/attribution/index.ts'
import { onnx } from '../../../../precompiles/attribution/onnx/proto.ts'
import type { OnnxNs } from '../../../../precompiles/attribution/onnx/proto.ts'
import { keccak_256 } from '@noble/hashes/sha3.js'

const rand = (seed: number, n: number) => Int8Array.from(prngBytes(Uint8Array.of(seed), n))

function dataset(): { rows: Int8Array; dim: number; queries: Int8Array[] } {
  const dim = 64
  const random = rand(1, 500 * dim)
  // extreme rows and exact duplicates make ties at every rank, including the k-th
  const extremes = [new Int8Array(dim).fill(127), new Int8Array(dim).fill(-128), Int8Array.from({ length: dim }, (_, i) => (i % 2 ? 127 : -128))]
  const rows = new Int8Array((500 + 3 + 40) * dim)
  rows.set(random, 0)
  extremes.forEach((e, i) => rows.set(e, (500 + i) * dim))
  for (let i = 0; i < 40; i++) rows.set(random.subarray((i % 5) * dim, (i % 5 + 1) * dim), (503 + i) * dim)
  const queries = [...extremes, ...Array.from({ length: 12 }, (_, i) => rand(10 + i, dim)), random.subarray(0, dim)]
  return { rows, dim, queries }
}

test('the JavaScript, WebAssembly and onnxruntime kernels give identical ids and scores, ties included', async () => {
  const { rows, dim, queries } = dataset()
  const wasm = await WasmKernel.create(rows, dim)
  const batch = new Int8Array(queries.length * dim)
  queries.forEach((q, i) => batch.set(q, i * dim))
  for (const threads of [1, 2]) {
    const scorer = await OnnxScorer.create(rows, dim, 8, { intraOpNumThreads: threads })
    const fromOnnx = await scorer.scoreBatch(batch)
    let undetermined = 0
    for (const [i, q] of queries.entries()) {
      const want = scoreReference(rows, dim, q, 8)
      assert.deepEqual(wasm.top(q, 8), want, `wasm, query ${i}`)
      if (fromOnnx[i] === null) undetermined++
      else assert.deepEqual(fromOnnx[i], want, `onnx (${threads} threads), query ${i}`)
    }
    // the duplicated rows tie at the 8th place for the last query: onnx must say so, not guess
    assert.ok(undetermined >= 1)
    await scorer.release()
  }
  // a candidate set resolves undetermined ties with the exact kernel: full agreement
  for (const kernel of ['js', 'wasm', 'onnx'] as const) {
    const set = await CandidateSet.build(rows, dim, 8, { kernel, intraOpNumThreads: 2 })
    const got = await set.scoreBatch(batch, 'exact')
    queries.forEach((q, i) => assert.deepEqual(got[i], scoreReference(rows, dim, q, 8), `${kernel}, query ${i}`))
    await set.release()
  }
})

test('the self-test accepts onnxruntime here, and reports why', async () => {
  const choice = await selfTest({ intraOpNumThreads: 2 })
  assert.equal(choice.kernel, 'onnx', choice.reason)
})

test('scoring graphs: the default passes the integer-exact whitelist; a float operation is named', () => {
  const template = defaultGraphTemplate()
  assert.deepEqual(template, defaultGraphTemplate(), 'generated deterministically')
  assert.equal(Buffer.from(keccak_256(template)).toString('hex').length, 64)
  validateScoringGraph(template)
  const graphOf = (m: OnnxNs.ModelProto) => m.graph as OnnxNs.GraphProto
  const model = onnx.ModelProto.decode(template)
  graphOf(model).node.push(onnx.NodeProto.create({ opType: 'Softmax', input: ['dots'], output: ['p'], name: 'soft' }))
  assert.throws(() => validateScoringGraph(onnx.ModelProto.encode(model).finish()), (e: unknown) => e instanceof GraphRejected && /Softmax/.test(e.message))
  const floaty = onnx.ModelProto.decode(template)
  graphOf(floaty).initializer.push(onnx.TensorProto.create({ name: 'w', dataType: onnx.TensorProto.DataType.FLOAT, dims: [1], floatData: [0.5] }))
  assert.throws(() => validateScoringGraph(onnx.ModelProto.encode(floaty).finish()), /initializer w is of a non-integer type \(FLOAT\)/)
  assert.throws(() => validateScoringGraph(new Uint8Array([1, 2, 3])), GraphRejected)
})

test('the indexed mode is deterministic and finds the near neighbours of a clustered set', async () => {
  const dim = 64
  const centres = rand(3, 40 * dim)
  const noise = rand(4, 4000 * dim)
  const rows = Int8Array.from({ length: 4000 * dim }, (_, x) => Math.max(-128, Math.min(127, centres[(Math.floor(x / dim) % 40) * dim + (x % dim)] + (noise[x] >> 3))))
  const lsh = { bits: 8, tables: 4, radius: 1, seed: new Uint8Array(32).fill(9) }
  const a = await CandidateSet.build(rows, dim, 16, { kernel: 'wasm', intraOpNumThreads: 1, lsh })
  const b = await CandidateSet.build(rows, dim, 16, { kernel: 'js', intraOpNumThreads: 1, lsh })
  let hit = 0
  let total = 0
  for (let i = 0; i < 40; i++) {
    const q = rows.subarray(i * 97 * dim, i * 97 * dim + dim)
    const x = await a.scoreOne(q, 'indexed')
    assert.deepEqual(x, await b.scoreOne(q, 'indexed'), 'two builds, two kernels: the same answer')
    const exact = new Set((await a.scoreOne(q, 'exact')).map((s) => s.index))
    total += exact.size
    hit += x.filter((s) => exact.has(s.index)).length
  }
  assert.ok(hit / total > 0.9, `recall ${hit / total}`)
})

test('shares add up to the amount exactly, dust included', () => {
  const r = splitByWeight(1_000_003n, [7n, 3n, 1n, 0n])
  assert.equal(r.amounts.reduce((s, x) => s + x, 0n) + r.dust, 1_000_003n)
  assert.deepEqual(r.amounts, [636_365n, 272_728n, 90_909n, 0n])
  assert.deepEqual(splitByWeight(5n, []), { amounts: [], dust: 5n })
  assert.deepEqual(splitByWeight(2n, [1n, 1n, 1n]), { amounts: [0n, 0n, 0n], dust: 2n })
  const f = splitFee(10_001n, { contributorsBps: 5000, modelOwnerBps: 2000, adapterOwnerBps: 1000, serverBps: 1500 })
  assert.deepEqual(f, { contributors: 5000n, modelOwner: 2000n, adapterOwner: 1000n, server: 1500n, treasury: 501n })
})
