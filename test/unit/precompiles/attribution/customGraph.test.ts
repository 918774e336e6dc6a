// Attribution by a registered graph, as consensus defines it: the graph's outputs put in the
// consensus order in JavaScript, refused when they name a candidate twice or none; the indexed
// mode giving the graph exactly the candidates the built-in indexed path scores; the gas rule.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CandidateSet, DEFAULT_IVF, defaultGraphTemplate, instantiate, prngBytes, scoreReference } from '../../../../precompiles/attribution/index.ts'
import type { CandidateSetOptions } from '../../../../precompiles/attribution/index.ts'
import { GraphScorer, compileScoringGraph, consensusTop, graphColumns, graphLimits } from '../../../../precompiles/attribution/customGraph.ts'
import { GRAPH_INTERPRETER_FACTOR, graphScoringGas, scoringGas } from '../../../../precompiles/attribution/gas.ts'
import { onnx } from '../../../../precompiles/attribution/onnx/proto.ts'
import type { OnnxNs } from '../../../../precompiles/attribution/onnx/proto.ts'
import { DT, GraphError, tensorOf } from '../../../../precompiles/attribution/onnx/tensor.ts'
import { GAS } from '../../../../precompiles/framework/gas.ts'
import { clusteredSketches } from '../../../../bench/lib/sketches.ts'

const T = onnx.TensorProto.DataType
const seed = new Uint8Array(32).fill(4)

/** The default template with nodes inserted between the MatMulInteger (dots) and the TopK. */
function afterDots(extra: OnnxNs.INodeProto[], initializers: OnnxNs.ITensorProto[], last: string): Uint8Array {
  const model = onnx.ModelProto.decode(defaultGraphTemplate())
  const g = model.graph as OnnxNs.GraphProto
  g.name = 'variant'
  g.node.splice(1, 0, ...extra.map((n) => onnx.NodeProto.create(n)))
  ;(g.node[1 + extra.length].input as string[])[0] = last
  g.initializer.push(...initializers.map((i) => onnx.TensorProto.create(i)))
  return onnx.ModelProto.encode(model).finish()
}

const int32Scalar = (name: string, v: number): OnnxNs.ITensorProto => {
  const raw = new Uint8Array(4)
  new DataView(raw.buffer).setInt32(0, v, true)
  return { name, dataType: T.INT32, dims: [], rawData: raw }
}

/** 2 · (q · c) − 200,000: a different scorer, under which fewer candidates stay positive. */
const twiceLess = () => afterDots(
  [
    { opType: 'Mul', input: ['dots', 'two'], output: ['doubled'], name: 'double' },
    { opType: 'Sub', input: ['doubled', 'bar'], output: ['shifted'], name: 'less' },
  ],
  [int32Scalar('two', 2), int32Scalar('bar', 200_000)],
  'shifted',
)

const scores = (values: number[]) => tensorOf(DT.INT32, [1, values.length], values)
const indices = (values: number[]) => tensorOf(DT.INT64, [1, values.length], values.map(BigInt))

test('the graph outputs are put in the consensus order: score desc, index asc, positive only, first k', () => {
  assert.deepEqual(consensusTop(scores([5, 9, 5, 0, -3, 9, 7]), indices([6, 4, 2, 0, 1, 3, 5]), 7, 4), [
    { index: 3, score: 9 }, { index: 4, score: 9 }, { index: 5, score: 7 }, { index: 2, score: 5 },
  ])
  // wider score types: int64 within ±(2^53 − 1), and uint8
  assert.deepEqual(consensusTop(tensorOf(DT.INT64, [1, 2], [2n ** 53n - 1n, 1n]), indices([1, 0]), 2, 2), [{ index: 1, score: 2 ** 53 - 1 }, { index: 0, score: 1 }])
  assert.deepEqual(consensusTop(tensorOf(DT.UINT8, [1, 2], [200, 0]), indices([0, 1]), 2, 5), [{ index: 0, score: 200 }])
  assert.deepEqual(consensusTop(scores([]), indices([]), 0, 3), [])
})

test('a graph naming a candidate twice, or none, or beyond exact scores, fails', () => {
  const fails = (f: () => unknown, pattern: RegExp) => assert.throws(f, (e: unknown) => e instanceof GraphError && pattern.test(e.message))
  fails(() => consensusTop(scores([3, 2]), indices([1, 1]), 4, 2), /index 1 is given twice/)
  fails(() => consensusTop(scores([3, 2]), indices([1, 4]), 4, 2), /index 4 is not one of the 4 candidates/)
  fails(() => consensusTop(scores([3, 2]), indices([-1, 0]), 4, 2), /index -1 is not one of/)
  // even where the score would be dropped: the indices must be sound
  fails(() => consensusTop(scores([-5, -5]), indices([0, 0]), 4, 2), /given twice/)
  fails(() => consensusTop(tensorOf(DT.INT64, [1, 1], [2n ** 53n]), indices([0]), 1, 1), /beyond ±\(2\^53 - 1\)/)
  fails(() => consensusTop(tensorOf(DT.INT32, [2], [1, 2]), tensorOf(DT.INT64, [2], [0n, 1n]), 2, 1), /must both be \[1, K\]/)
})

test('the candidates as a graph takes them are the default instantiation\'s, and the default graph scores as the reference', () => {
  const dim = 40
  const n = 120
  const rows = Int8Array.from(prngBytes(Uint8Array.of(21), n * dim))
  const columns = graphColumns(rows, dim)
  // the default graph's own candidate matrix, as instantiate() lays it out
  const model = onnx.ModelProto.decode(instantiate(defaultGraphTemplate(), rows, dim, 8))
  const init = (model.graph as OnnxNs.GraphProto).initializer.find((i) => i.name === 'candidates') as OnnxNs.TensorProto
  assert.deepEqual(columns, new Uint8Array(init.rawData))
  const scorer = new GraphScorer(compileScoringGraph(defaultGraphTemplate()), rows, dim, 8)
  for (let q = 0; q < 10; q++) {
    const query = Int8Array.from(prngBytes(Uint8Array.of(22, q), dim))
    assert.deepEqual(scorer.score(query), scoreReference(rows, dim, query, 8), `query ${q}`)
  }
  // a subset: columns in the order given, indexes mapped back
  const subset = Int32Array.of(3, 17, 50, 51, 119)
  assert.deepEqual(graphColumns(rows, dim, subset), graphColumns(Int8Array.from([...subset].flatMap((i) => [...rows.subarray(i * dim, (i + 1) * dim)])), dim))
  const query = rows.subarray(50 * dim, 51 * dim)
  assert.deepEqual(scorer.score(query, subset), scoreReference(rows, dim, query, 8, subset))
})

test('another graph scores differently: 2·dot − 200,000 keeps only candidates above 100,000', () => {
  const dim = 32
  const n = 200
  const rows = Int8Array.from(prngBytes(Uint8Array.of(23), n * dim))
  const graph = compileScoringGraph(twiceLess())
  assert.equal(graph.nodes, 5)
  const scorer = new GraphScorer(graph, rows, dim, 6)
  let changed = 0
  for (let q = 0; q < 6; q++) {
    const query = rows.subarray(q * dim, (q + 1) * dim)
    const all = scoreReference(rows, dim, query, n)
    const want = all.map((s) => ({ index: s.index, score: 2 * s.score - 200_000 })).filter((s) => s.score > 0).slice(0, 6)
    assert.deepEqual(scorer.score(query), want, `query ${q}`)
    if (want.length !== Math.min(6, all.length)) changed++
  }
  assert.ok(changed > 0, 'the bar drops contributions the default graph pays')
})

test('indexed: the graph is given exactly the candidates the built-in indexed path scores', async () => {
  const dim = 48
  const data = clusteredSketches({ n: 3000, dim, seed: 8 })
  const queries = data.queries(12, 3)
  const indexes: Array<Pick<CandidateSetOptions, 'ivf' | 'lsh'>> = [
    { ivf: { ...DEFAULT_IVF, lists: 40, probeRows: 300, seed } },
    { lsh: { bits: 10, tables: 6, radius: 1, seed } },
  ]
  const scorer = new GraphScorer(compileScoringGraph(defaultGraphTemplate()), data.rows, dim, 10)
  for (const index of indexes) {
    const set = await CandidateSet.build(data.rows, dim, 10, { kernel: 'js', intraOpNumThreads: 1, ...index })
    const builtIn = await set.scoreBatch(queries, 'indexed')
    const probed = set.probedSets(queries)
    for (let b = 0; b < builtIn.length; b++) {
      const p = probed[b]
      assert.ok(p.length > 0 && p.length < 3000, 'an index proposes a part of the set')
      assert.ok(p.every((v, i) => i === 0 || v > p[i - 1]), 'ascending, without repeats')
      // the default graph on the proposed candidates is the built-in indexed answer
      assert.deepEqual(scorer.score(queries.subarray(b * dim, (b + 1) * dim), p), builtIn[b], `${Object.keys(index)[0]}, query ${b}`)
    }
  }
})

test('a graph that fails on a query fails the same way every time; compile refuses what does not fit the contract', () => {
  // indices concatenated with themselves: every index twice
  const model = onnx.ModelProto.decode(defaultGraphTemplate())
  const g = model.graph as OnnxNs.GraphProto
  g.name = 'twice'
  ;(g.node[1].output as string[])[1] = 'once'
  g.node.push(onnx.NodeProto.create({ opType: 'Concat', input: ['once', 'once'], output: ['indices'], name: 'twice', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }))
  ;(g.node[2].output as string[])[0] = 'clamped'
  g.node.push(onnx.NodeProto.create({ opType: 'Concat', input: ['clamped', 'clamped'], output: ['scores'], name: 'twice2', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }))
  const dim = 16
  const rows = Int8Array.from(prngBytes(Uint8Array.of(24), 30 * dim))
  const scorer = new GraphScorer(compileScoringGraph(onnx.ModelProto.encode(model).finish()), rows, dim, 4)
  assert.throws(() => scorer.score(rows.subarray(0, dim)), (e: unknown) => e instanceof GraphError && /is given twice/.test(e.message))

  const refuses = (edit: (g: OnnxNs.GraphProto) => void, pattern: RegExp) => {
    const m = onnx.ModelProto.decode(defaultGraphTemplate())
    edit(m.graph as OnnxNs.GraphProto)
    assert.throws(() => compileScoringGraph(onnx.ModelProto.encode(m).finish()), (e: unknown) => e instanceof GraphError && pattern.test(e.message), String(pattern))
  }
  refuses((x) => { x.node.push(onnx.NodeProto.create({ opType: 'Softmax', input: ['dots'], output: ['p'], name: 'soft' })) }, /Softmax/)
  refuses((x) => { (x.input[2].type as OnnxNs.TypeProto).tensorType = onnx.TypeProto.Tensor.create({ elemType: T.INT32 }) }, /TopK topk: K must be int64/)
  refuses((x) => { (x.output[0].type as OnnxNs.TypeProto).tensorType = onnx.TypeProto.Tensor.create({ elemType: T.INT32 }); x.output[0].name = 'best'; x.output.push(onnx.ValueInfoProto.create({ name: 'dots', type: { tensorType: { elemType: T.INT32 } } })) }, /gives the output scores/)
  refuses((x) => { x.output.splice(1, 1) }, /indices/)
  refuses((x) => { x.input.push(onnx.ValueInfoProto.create({ name: 'extra', type: { tensorType: { elemType: T.INT32 } } })) }, /input extra is neither one the chain gives nor an initializer/)
})

test('gas: a registered graph pays at least the built-in price, times the interpreter factor, more with more nodes', () => {
  for (const [n, d, mode] of [[5, 64, 'exact'], [100_000, 128, 'exact'], [100_000, 128, 'indexed']] as const) {
    const base = scoringGas(GAS, n, d, mode)
    assert.equal(graphScoringGas(GAS, n, d, mode, 1), base * GRAPH_INTERPRETER_FACTOR)
    assert.equal(graphScoringGas(GAS, n, d, mode, 3), base * GRAPH_INTERPRETER_FACTOR)
    assert.equal(graphScoringGas(GAS, n, d, mode, 5), (base * GRAPH_INTERPRETER_FACTOR * 5n + 2n) / 3n)
    assert.ok(graphScoringGas(GAS, n, d, mode, 4) > graphScoringGas(GAS, n, d, mode, 3))
  }
  // the work bound grows with the nodes in the same proportion
  assert.equal(graphLimits(1000, 64, 9).maxWork, 3 * graphLimits(1000, 64, 3).maxWork)
})
