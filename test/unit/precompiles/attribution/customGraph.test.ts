// Attribution by a registered graph, as consensus defines it: the graph's outputs put in the
// consensus order in JavaScript, refused when they name a candidate twice or none; the indexed
// mode giving the graph exactly the candidates the built-in indexed path scores; the gas rule.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CandidateSet, DEFAULT_IVF, defaultGraphTemplate, instantiate, prngBytes, scoreReference } from '../../../../precompiles/attribution/index.ts'
import type { CandidateSetOptions } from '../../../../precompiles/attribution/index.ts'
import { GraphScorer, compileScoringGraph, consensusTop, graphColumns, graphLimits } from '../../../../precompiles/attribution/customGraph.ts'
import { GRAPH_INTERPRETER_FACTOR, GRAPH_UNITS_PER_GAS, INDEXED_GRAPH_CANDIDATES, graphScoringGas, graphWorkBound, scoringGas } from '../../../../precompiles/attribution/gas.ts'
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

test('indexed: a graph is run on at most INDEXED_GRAPH_CANDIDATES proposed candidates; a query with more gets none', () => {
  const dim = 4
  const n = INDEXED_GRAPH_CANDIDATES + 1
  const rows = Int8Array.from({ length: n * dim }, (_, i) => ((i * 7) % 200) - 100)
  const scorer = new GraphScorer(compileScoringGraph(defaultGraphTemplate()), rows, dim, 3)
  const query = Int8Array.of(50, -20, 30, 10)
  const all = Int32Array.from({ length: n }, (_, i) => i)
  // at the limit, the graph's answer is the reference's over the same candidates
  assert.deepEqual(scorer.score(query, all.subarray(0, INDEXED_GRAPH_CANDIDATES)), scoreReference(rows.subarray(0, INDEXED_GRAPH_CANDIDATES * dim), dim, query, 3))
  assert.throws(() => scorer.score(query, all), (e: unknown) => e instanceof GraphError && new RegExp(`proposes ${n} candidates, more than the ${INDEXED_GRAPH_CANDIDATES}`).test(e.message))
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

test('gas: a registered graph pays at least the built-in price, times the interpreter factor, more with more nodes, and covers its work bound', () => {
  for (const [n, d, mode] of [[5, 64, 'exact'], [100_000, 128, 'exact'], [100_000, 16, 'exact'], [100_000, 128, 'indexed']] as const) {
    const base = scoringGas(GAS, n, d, mode)
    const expect = (nodes: number) => {
      const priced = (base * GRAPH_INTERPRETER_FACTOR * BigInt(Math.max(nodes, 3)) + 2n) / 3n
      const runOn = mode === 'exact' ? n : Math.min(n, INDEXED_GRAPH_CANDIDATES)
      const covering = (BigInt(graphWorkBound(runOn, d, nodes)) + BigInt(GRAPH_UNITS_PER_GAS) - 1n) / BigInt(GRAPH_UNITS_PER_GAS)
      return covering > priced ? covering : priced
    }
    for (const nodes of [1, 3, 5]) assert.equal(graphScoringGas(GAS, n, d, mode, nodes), expect(nodes))
    assert.ok(graphScoringGas(GAS, n, d, mode, 3) >= base * GRAPH_INTERPRETER_FACTOR)
    assert.ok(graphScoringGas(GAS, n, d, mode, 4) > graphScoringGas(GAS, n, d, mode, 3))
    // the gas covers the most work a run may do: on N candidates, or on the most the indexed mode gives a graph
    const runOn = mode === 'exact' ? n : INDEXED_GRAPH_CANDIDATES
    assert.ok(graphScoringGas(GAS, n, d, mode, 7) * BigInt(GRAPH_UNITS_PER_GAS) >= BigInt(graphLimits(runOn, d, 7).maxWork))
  }
  // at n = 100,000, d = 128 the built-in rule still sets the price; at d = 16 or n = 5 the bound does
  assert.equal(graphScoringGas(GAS, 100_000, 128, 'exact', 3), scoringGas(GAS, 100_000, 128, 'exact') * GRAPH_INTERPRETER_FACTOR)
  // the work bound grows with the nodes in the same proportion
  assert.equal(graphLimits(1000, 64, 9).maxWork, 3 * graphLimits(1000, 64, 3).maxWork)
})

// ---- hostile graphs (review findings): refused at registration, or a GraphError within a bounded time ----

const AT = onnx.AttributeProto.AttributeType
type HAttr = [string, number | number[]]
interface HNode { op: string; inputs: string[]; outputs: string[]; attrs?: HAttr[] }
interface HInit { name: string; type: number; dims: Array<number | string>; raw?: Uint8Array }
const i64 = (...v: Array<number | bigint>) => new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer)
const zp: HInit = { name: 'zp', type: T.UINT8, dims: [], raw: Uint8Array.of(128) }
const k0: HInit = { name: 'k0', type: T.INT64, dims: [1], raw: i64(0) }
const scoring: HNode[] = [
  { op: 'MatMulInteger', inputs: ['query', 'candidates', 'zp', 'zp'], outputs: ['mm'] },
  { op: 'TopK', inputs: ['mm', 'k'], outputs: ['scores', 'indices'] },
]
function hostile(nodes: HNode[], inits: HInit[], opset = 14): Uint8Array {
  const io = (name: string, type: number): OnnxNs.IValueInfoProto => ({ name, type: { tensorType: { elemType: type } } })
  const all = [...nodes, ...scoring]
  const inputs = [zp, ...inits]
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'hostile',
      input: [io('query', T.UINT8), io('candidates', T.UINT8), io('k', T.INT64), ...inputs.map((i) => io(i.name, i.type))],
      output: [io('scores', T.INT32), io('indices', T.INT64)],
      initializer: inputs.map((i) => ({ name: i.name, dataType: i.type, dims: i.dims as never, rawData: i.raw })),
      node: all.map((n, i) => ({ opType: n.op, name: `n${i}`, input: n.inputs, output: n.outputs, attribute: (n.attrs ?? []).map(([name, v]) => (Array.isArray(v) ? { name, type: AT.INTS, ints: v } : { name, type: AT.INT, i: v })) })),
    },
  })).finish()
}
/** Refused at registration, or fails with a GraphError on a query, within `ms`. */
function failsAsGraphError(bytes: Uint8Array, pattern: RegExp, ms = 2000): void {
  const t0 = performance.now()
  let error: unknown
  try {
    const g = compileScoringGraph(bytes)
    const rows = Int8Array.from(prngBytes(Uint8Array.of(9), 50 * 16))
    new GraphScorer(g, rows, 16, 4).score(rows.subarray(0, 16))
  } catch (err) {
    error = err
  }
  assert.ok(error instanceof GraphError, `expected a GraphError, got ${String(error)}`)
  assert.match((error as Error).message, pattern)
  assert.ok(performance.now() - t0 < ms, `took ${performance.now() - t0} ms`)
}
const BIG = '2147483647'

test('finding 1: nesting is refused by an iterative scan before protobufjs decodes, whatever the JIT state', () => {
  const varint = (n: number) => { const out: number[] = []; while (n > 127) { out.push((n & 127) | 128); n >>>= 7 } out.push(n); return out }
  const field = (no: number, body: Uint8Array) => { const h = [...varint((no << 3) | 2), ...varint(body.length)]; const o = new Uint8Array(h.length + body.length); o.set(h); o.set(body, h.length); return o }
  const real = hostile([], [])
  const prefixed = (prefix: Uint8Array) => { const b = new Uint8Array(prefix.length + real.length); b.set(prefix); b.set(real, prefix.length); return b }
  // a graph attribute nested 2,300 deep ahead of a real graph: refused at every attempt, cold or warm
  let g = new Uint8Array(0)
  for (let i = 0; i < 2300; i++) g = field(1, field(5, field(6, g)))
  for (let attempt = 0; attempt < 3; attempt++) failsAsGraphError(prefixed(field(7, g)), /graph-valued attribute \(g\) is not accepted/)
  // training_info and functions, even empty
  failsAsGraphError(prefixed(field(20, new Uint8Array(0))), /training_info is not accepted/)
  failsAsGraphError(prefixed(field(25, new Uint8Array(0))), /functions is not accepted/)
  // a nesting of types (Sequence of Sequence of …) within a value info: past the depth limit
  let t = field(1, new Uint8Array(0))
  for (let i = 0; i < 10; i++) t = field(4, field(1, t))
  failsAsGraphError(prefixed(field(7, field(11, field(2, t)))), /nested deeper than 8/)
  // a group (wire type 3), which protobufjs would skip by recursion
  failsAsGraphError(prefixed(Uint8Array.of((99 << 3) | 3, (99 << 3) | 4)), /wire type 3/)
  // a known message field sent with another wire type
  failsAsGraphError(prefixed(Uint8Array.of((7 << 3) | 0, 5)), /ModelProto field 7 has wire type 0/)
})

test('finding 2: lengths are checked before allocating; scratch and live bytes are within absolute caps', () => {
  failsAsGraphError(hostile([], [{ name: 'X', type: T.INT64, dims: ['536870912'], raw: Uint8Array.of(1, 2, 3) }]), /holds 3 bytes for 536870912 elements/)
  failsAsGraphError(hostile([], [{ name: 'X', type: T.INT64, dims: ['2147483647'], raw: Uint8Array.of(1, 2, 3) }]), /spans more than 1073741824 positions/)
  failsAsGraphError(hostile([], [{ name: 'X', type: T.UINT8, dims: ['4294967295'], raw: Uint8Array.of(1, 2, 3) }]), /has dimension 4294967295/)
  // TopK's ranking buffer over an empty tensor of a long axis: nothing walked, nothing allocated
  const g = compileScoringGraph(hostile([{ op: 'TopK', inputs: ['X', 'k0'], outputs: ['v', 'i'], attrs: [['axis', 0]] }], [k0, { name: 'X', type: T.INT32, dims: ['1073741824', 0] }]))
  const rows = Int8Array.from(prngBytes(Uint8Array.of(9), 50 * 16))
  assert.equal(new GraphScorer(g, rows, 16, 4).score(rows.subarray(0, 16)).length > 0, true)
  // MatMulInteger's batch pairs are not listed (and are charged): 2048·4096 products of 1 × 1
  failsAsGraphError(hostile([
    { op: 'Add', inputs: ['P', 'Q'], outputs: ['a'] },
    { op: 'MatMulInteger', inputs: ['a', 'B1'], outputs: ['m'] },
  ], [{ name: 'P', type: T.UINT8, dims: [2048, 1, 1, 1], raw: new Uint8Array(2048) }, { name: 'Q', type: T.UINT8, dims: [1, 4096, 1, 1], raw: new Uint8Array(4096) }, { name: 'B1', type: T.UINT8, dims: [1, 1], raw: Uint8Array.of(1) }]), /units of work|spans more than/)
  // whatever the caller allows, live bytes stop at 256 MiB and work at 2³⁰
  assert.equal(graphLimits(10_000_000, 256, 3).maxLiveBytes, 256 * 1024 * 1024)
  assert.equal(graphLimits(10_000_000, 256, 3).maxWork, 2 ** 30)
})

test('findings 3 and 4: empty tensors with huge outer dims and huge ranks are refused or charged before any loop', () => {
  const empty = (dims: Array<number | string>): HInit => ({ name: 'X', type: T.INT32, dims })
  failsAsGraphError(hostile([{ op: 'TopK', inputs: ['X', 'k0'], outputs: ['v', 'i'], attrs: [['axis', 2]] }], [k0, empty([BIG, BIG, 1, 0])]), /spans more than/)
  failsAsGraphError(hostile([{ op: 'Gather', inputs: ['X', 'I'], outputs: ['g'], attrs: [['axis', 2]] }], [{ name: 'I', type: T.INT64, dims: [0] }, empty([BIG, BIG, 0])]), /spans more than/)
  failsAsGraphError(hostile([{ op: 'Concat', inputs: ['X', 'X'], outputs: ['c'], attrs: [['axis', 2]] }], [empty([BIG, BIG, 0])]), /spans more than/)
  failsAsGraphError(hostile([{ op: 'MatMulInteger', inputs: ['A', 'B'], outputs: ['m'] }], [{ name: 'A', type: T.UINT8, dims: [BIG, BIG, 0, 1] }, { name: 'B', type: T.UINT8, dims: [1, 1], raw: Uint8Array.of(1) }]), /spans more than/)
  // within the extent caps, an empty tensor's outer axes are not walked: these end at once, by a
  // result or by the run's own extent bound
  for (const op of [
    { op: 'TopK', inputs: ['X', 'k0'], outputs: ['v', 'i'], attrs: [['axis', 1]] as HAttr[] },
    { op: 'Concat', inputs: ['X', 'X'], outputs: ['v'], attrs: [['axis', 1]] as HAttr[] },
  ]) {
    const t0 = performance.now()
    for (const outer of ['1073741823', '10000']) {
      const g = compileScoringGraph(hostile([op], [k0, empty([outer, 0])]))
      const rows = Int8Array.from(prngBytes(Uint8Array.of(9), 50 * 16))
      try {
        new GraphScorer(g, rows, 16, 4).score(rows.subarray(0, 16))
      } catch (err) {
        assert.ok(err instanceof GraphError && /spans more than/.test(err.message), String(err))
      }
    }
    assert.ok(performance.now() - t0 < 1000)
  }
  // rank: a shape of 1,000,000 ones is refused, not walked
  failsAsGraphError(hostile([
    { op: 'Add', inputs: ['A', 'B'], outputs: ['ab'] },
    { op: 'Reshape', inputs: ['ab', 'flat'], outputs: ['s'] },
    { op: 'Reshape', inputs: ['one', 's'], outputs: ['r'] },
  ], [
    { name: 'A', type: T.INT64, dims: [1000, 1], raw: i64(...Array(1000).fill(1)) },
    { name: 'B', type: T.INT64, dims: [1, 1000], raw: i64(...Array(1000).fill(0)) },
    { name: 'flat', type: T.INT64, dims: [1], raw: i64(-1) },
    { name: 'one', type: T.INT32, dims: [1], raw: Uint8Array.of(1, 0, 0, 0) },
  ], 13), /units of work|at most 8 fit|spans more than/)
})

test('finding 5: Slice without axes, an allowzero reshape to [2⁴⁰, 0] and oversized initializers fail as GraphError', () => {
  failsAsGraphError(hostile([{ op: 'Slice', inputs: ['query', 'S', 'S'], outputs: ['s'] }], [{ name: 'S', type: T.INT64, dims: [3], raw: i64(0, 0, 0) }]), /3 values where at most 2 fit/)
  failsAsGraphError(hostile([
    { op: 'Reshape', inputs: ['E', 'SH'], outputs: ['r'], attrs: [['allowzero', 1]] },
    { op: 'TopK', inputs: ['r', 'k0'], outputs: ['v', 'i'], attrs: [['axis', 0]] },
  ], [k0, { name: 'E', type: T.INT64, dims: [0] }, { name: 'SH', type: T.INT64, dims: [2], raw: i64(2 ** 40, 0) }]), /dimension 1099511627776/)
  failsAsGraphError(hostile([], [{ name: 'X', type: T.INT64, dims: ['2147483648'], raw: Uint8Array.of(1, 2, 3) }]), /has dimension 2147483648/)
})

test('finding 6: costly patterns are charged by their weight (TopK slices of one, Gather by single elements)', () => {
  // TopK over [M, 1] along axis 1: per slice ≈ 600 units, not 2
  const g = compileScoringGraph(hostile([
    { op: 'Reshape', inputs: ['X', 'col'], outputs: ['xc'] },
    { op: 'TopK', inputs: ['xc', 'one'], outputs: ['v', 'i'], attrs: [['axis', 1]] },
  ], [{ name: 'X', type: T.INT32, dims: [20_000], raw: new Uint8Array(80_000) }, { name: 'col', type: T.INT64, dims: [2], raw: i64(-1, 1) }, { name: 'one', type: T.INT64, dims: [1], raw: i64(1) }]))
  const spent = { work: 0 }
  const q = new Uint8Array(16).fill(128)
  g.run({ query: tensorOf(DT.UINT8, [1, 16], q), candidates: tensorOf(DT.UINT8, [16, 1], q), k: tensorOf(DT.INT64, [1], [1]) }, undefined, spent)
  assert.ok(spent.work > 20_000 * 600, `charged ${spent.work}`)
})
