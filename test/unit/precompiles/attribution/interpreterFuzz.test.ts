// Random small graphs of the whitelisted ops — random attributes, shapes and initializers, hostile
// dimensions among them — through registration and a run on a query: each either succeeds or fails
// with a GraphError, quickly. Any other exception would abort settlement on every node; a hang or
// an allocation failure would stop some nodes and not others. Seeded: the same graphs every run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GraphScorer, compileScoringGraph } from '../../../../precompiles/attribution/customGraph.ts'
import { OP_WHITELIST } from '../../../../precompiles/attribution/onnx/validate.ts'
import { onnx } from '../../../../precompiles/attribution/onnx/proto.ts'
import type { OnnxNs } from '../../../../precompiles/attribution/onnx/proto.ts'
import { GraphError } from '../../../../precompiles/attribution/onnx/tensor.ts'

const T = onnx.TensorProto.DataType
const AT = onnx.AttributeProto.AttributeType
const TYPES = [T.UINT8, T.INT8, T.UINT16, T.INT16, T.INT32, T.INT64, T.UINT32, T.UINT64, T.BOOL]
const WIDTH: Record<number, number> = { [T.UINT8]: 1, [T.INT8]: 1, [T.BOOL]: 1, [T.UINT16]: 2, [T.INT16]: 2, [T.INT32]: 4, [T.UINT32]: 4, [T.INT64]: 8, [T.UINT64]: 8 }
const OPS = [...OP_WHITELIST]

/** xorshift32: a deterministic stream */
function rng(seed: number) {
  let s = seed >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s
  }
  const int = (n: number) => next() % n
  return { int, pick: <V>(a: readonly V[]): V => a[int(a.length)], chance: (p: number) => next() / 2 ** 32 < p }
}
type Rng = ReturnType<typeof rng>

const HOSTILE = [0, 0, 1, 2, 3, 2 ** 31 - 1, 2 ** 30, 65536, 2 ** 32 - 1, 2 ** 40]
function dims(r: Rng): number[] {
  const rank = r.chance(0.05) ? 9 + r.int(4) : r.int(4)
  return Array.from({ length: rank }, () => (r.chance(0.12) ? r.pick(HOSTILE) : 1 + r.int(4)))
}
function value(r: Rng): bigint {
  return r.chance(0.2) ? BigInt(r.pick([-1, 0, 1, 2, -(2 ** 31), 2 ** 31 - 1, 2 ** 40])) * (r.chance(0.1) ? 2n ** 23n : 1n) : BigInt(r.int(7) - 2)
}
function initializer(r: Rng, name: string): OnnxNs.ITensorProto {
  const type = r.pick(TYPES)
  const d = dims(r)
  const n = d.reduce((a, b) => a * b, 1)
  const count = n <= 64 ? n : r.int(8) // a wrong length for the hostile shapes
  const raw = new Uint8Array(count * WIDTH[type])
  const view = new DataView(raw.buffer)
  for (let i = 0; i < count; i++) {
    const v = value(r)
    if (WIDTH[type] === 8) view.setBigUint64(i * 8, BigInt.asUintN(64, v), true)
    else for (let b = 0; b < WIDTH[type]; b++) raw[i * WIDTH[type] + b] = Number(BigInt.asUintN(8, v >> BigInt(8 * b)))
  }
  if (type === T.BOOL) for (let i = 0; i < raw.length; i++) raw[i] &= 1
  return { name, dataType: type, dims: d, rawData: raw.length > 0 ? raw : undefined }
}
function attributes(r: Rng): OnnxNs.IAttributeProto[] {
  const out: OnnxNs.IAttributeProto[] = []
  for (const name of ['axis', 'perm', 'to', 'keepdims', 'largest', 'sorted', 'allowzero', 'axes', 'start', 'end', 'noop_with_empty_axes']) {
    if (!r.chance(0.25)) continue
    if (name === 'perm' || name === 'axes') out.push({ name, type: AT.INTS, ints: Array.from({ length: r.int(5) }, () => r.int(7) - 3) })
    else if (name === 'to') out.push({ name, type: AT.INT, i: r.pick(TYPES) })
    else out.push({ name, type: AT.INT, i: r.int(7) - 3 })
  }
  return out
}

function randomGraph(r: Rng): Uint8Array {
  const inits = Array.from({ length: 1 + r.int(4) }, (_, i) => initializer(r, `c${i}`))
  const names = ['query', 'candidates', 'k', ...inits.map((i) => i.name as string)]
  const nodes: OnnxNs.INodeProto[] = []
  for (let i = 0; i < 1 + r.int(5); i++) {
    const op = r.pick(OPS)
    const arity = op === 'Max' || op === 'Min' || op === 'Concat' ? 1 + r.int(3) : op === 'Slice' ? 3 + r.int(3) : op === 'MatMulInteger' ? 2 + r.int(3) : op === 'TopK' || op === 'Gather' || op === 'Reshape' || op === 'Add' || op === 'Sub' || op === 'Mul' ? 2 : 1 + r.int(2)
    const outputs = op === 'TopK' ? [`t${i}`, `u${i}`] : [`t${i}`]
    nodes.push({ opType: op, name: `n${i}`, input: Array.from({ length: arity }, () => r.pick(names)), output: outputs, attribute: attributes(r) })
    names.push(...outputs)
  }
  // the scoring the chain expects, fed by what the random nodes made, or by the query
  const src = r.chance(0.5) ? names[names.length - 1] : 'query'
  nodes.push({ opType: 'MatMulInteger', name: 'mm', input: [src, 'candidates'], output: ['mm'] })
  nodes.push({ opType: 'TopK', name: 'top', input: ['mm', 'k'], output: ['scores', 'indices'] })
  const io = (name: string, type: number): OnnxNs.IValueInfoProto => ({ name, type: { tensorType: { elemType: type } } })
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 11 + r.int(11) }],
    graph: {
      name: 'fuzz',
      input: [io('query', T.UINT8), io('candidates', T.UINT8), io('k', T.INT64), ...inits.map((i) => io(i.name as string, i.dataType as number))],
      output: [io('scores', T.INT32), io('indices', T.INT64)],
      initializer: inits,
      node: nodes,
    },
  })).finish()
}

test('random graphs of whitelisted ops succeed or fail with a GraphError, each within a time bound', () => {
  const r = rng(0x5eed)
  const dim = 8
  const rows = Int8Array.from({ length: 40 * dim }, (_, i) => ((i * 2654435761) >>> 24) - 128)
  const started = performance.now()
  const tally = { compiled: 0, ran: 0, refused: 0, failed: 0 }
  let graphs = 0
  while (performance.now() - started < 3000) {
    graphs++
    const bytes = randomGraph(r)
    const t0 = performance.now()
    try {
      const scorer = new GraphScorer(compileScoringGraph(bytes), rows, dim, 4)
      tally.compiled++
      try {
        scorer.score(rows.subarray(0, dim))
        scorer.score(rows.subarray(dim, 2 * dim), Int32Array.of(0, 3, 7))
        tally.ran++
      } catch (err) {
        if (!(err instanceof GraphError)) assert.fail(`graph ${graphs} run: ${(err as Error).stack}`)
        tally.failed++
      }
    } catch (err) {
      if (!(err instanceof GraphError)) assert.fail(`graph ${graphs} compile: ${(err as Error).stack}`)
      tally.refused++
    }
    assert.ok(performance.now() - t0 < 500, `graph ${graphs} took ${performance.now() - t0} ms`)
  }
  assert.ok(graphs > 200, `only ${graphs} graphs`)
  assert.ok(tally.compiled > 0 && tally.refused > 0, JSON.stringify(tally))
})
