// The default attribution graph, built in TypeScript: exact integer scores of a batch of queries
// against a candidate matrix, the best k + 1 of each, clamped at zero — all inside onnxruntime, so
// the N-wide score matrix never comes back to JavaScript.
//
//   query  uint8 [B, d] (int8 sketch + 128)   candidates uint8 [d, N] (int8 + 128, transposed)
//   MatMulInteger(query, candidates, 128, 128) → int32 [B, N]   exact Σ (q−128)(c−128) = q·c
//   TopK(k + 1) ─► Max(·, 0) → scores int32 [B, k+1], indices int64 [B, k+1]
//
// The clamp comes after TopK: max(·, 0) is monotone, so the best k + 1 of the clamped scores are
// the clamped best k + 1 (up to which zero-score entries appear, and those earn nothing). Clamping
// first cost a pass over the whole [B, N] matrix: 6 ms of 37 ms for a batch of 256 at N = 100,000.
//
// Consensus must not rest on how an implementation orders equal values in TopK, so the consensus
// order (score desc, index asc) is restored in JavaScript; the one extra result shows whether the k-th place is tied with
// the next — only then is the top k ambiguous, and that query is scored by the reference kernel.
// (Keying scores with their index in int64 inside the graph made ties impossible but cost 10×.)
// Only the uint8 × uint8 form of MatMulInteger is used: uint8 × int8 saturates on x86 CPUs
// without VNNI (DESIGN.md). The template registered on chain has `candidates` and `k` as inputs;
// a candidate set makes them initializers.
import { onnx } from './proto.ts'
import type { OnnxNs } from './proto.ts'

export const MAX_CANDIDATES = (1 << 24) - 1
const T = onnx.TensorProto.DataType

function scalar(name: string, type: number, value: number): OnnxNs.ITensorProto {
  if (type === T.UINT8) return { name, dataType: type, dims: [], rawData: Uint8Array.of(value) }
  const raw = new Uint8Array(4)
  new DataView(raw.buffer).setInt32(0, value, true)
  return { name, dataType: type, dims: [], rawData: raw }
}

function io(name: string, type: number, dims: Array<number | string>): OnnxNs.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: type, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  }
}

/** The template: inputs query, candidates, k; outputs scores and indices. Deterministic bytes. */
export function defaultGraphTemplate(): Uint8Array {
  const graph: OnnxNs.IGraphProto = {
    name: 'opal-attribution-v1',
    input: [io('query', T.UINT8, ['B', 'D']), io('candidates', T.UINT8, ['D', 'N']), io('k', T.INT64, [1])],
    output: [io('scores', T.INT32, ['B', 'K']), io('indices', T.INT64, ['B', 'K'])],
    initializer: [scalar('zp', T.UINT8, 128), scalar('zero', T.INT32, 0)],
    node: [
      { opType: 'MatMulInteger', input: ['query', 'candidates', 'zp', 'zp'], output: ['dots'], name: 'dots' },
      {
        opType: 'TopK', input: ['dots', 'k'], output: ['best', 'indices'], name: 'topk',
        attribute: [
          { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 },
          { name: 'largest', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
          { name: 'sorted', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
        ],
      },
      { opType: 'Max', input: ['best', 'zero'], output: ['scores'], name: 'clamp' },
    ],
  }
  const model: OnnxNs.IModelProto = { irVersion: 8, producerName: 'opal', producerVersion: '1', opsetImport: [{ domain: '', version: 13 }], graph }
  // a copy: protobufjs may hand back a view into a shared pool
  return new Uint8Array(onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish())
}

/**
 * A template made concrete for one candidate set: candidates and k become initializers (the
 * matrix prepacked by onnxruntime), leaving only the query as input. k + 1 results are asked for.
 */
export function instantiate(template: Uint8Array, sketches: Int8Array, dim: number, k: number): Uint8Array {
  const model = onnx.ModelProto.decode(template)
  const graph = model.graph as OnnxNs.GraphProto
  const n = sketches.length / dim
  if (n > MAX_CANDIDATES) throw new Error(`at most ${MAX_CANDIDATES} candidates per set`)
  const transposed = new Uint8Array(dim * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) transposed[j * n + i] = sketches[i * dim + j] + 128
  const kk = new Uint8Array(8)
  new DataView(kk.buffer).setBigInt64(0, BigInt(Math.min(k + 1, n)), true)
  graph.input = graph.input.filter((i) => i.name === 'query').map((i) => onnx.ValueInfoProto.create({ ...i, type: io('query', T.UINT8, ['B', dim]).type }))
  graph.initializer.push(
    onnx.TensorProto.create({ name: 'candidates', dataType: T.UINT8, dims: [dim, n], rawData: transposed }),
    onnx.TensorProto.create({ name: 'k', dataType: T.INT64, dims: [1], rawData: kk }),
  )
  return onnx.ModelProto.encode(model).finish()
}

/**
 * The graph's k + 1 best per query → the top k in the consensus order (positive scores only), or
 * null where the k-th place is tied with the next (the set itself is then not determined here).
 */
export function decodeTop(scores: Int32Array, indices: BigInt64Array, batch: number, width: number, k: number): Array<Array<{ index: number; score: number }> | null> {
  const out: Array<Array<{ index: number; score: number }> | null> = []
  for (let b = 0; b < batch; b++) {
    const row: Array<{ index: number; score: number }> = []
    for (let i = 0; i < width; i++) row.push({ index: Number(indices[b * width + i]), score: scores[b * width + i] })
    row.sort((x, y) => (y.score !== x.score ? y.score - x.score : x.index - y.index))
    if (width > k && row[k].score > 0 && row[k].score === row[k - 1].score) {
      out.push(null)
      continue
    }
    out.push(row.slice(0, k).filter((e) => e.score > 0))
  }
  return out
}
