// MatMulInteger: numpy matmul semantics (1-D operands promoted and the added axis removed again,
// batch axes broadcast) on uint8 or int8 operands less their zero points, into int32. Each product
// is below 2¹⁷ in magnitude and the running sum is kept in an Int32Array, whose store wraps it as
// ONNX's int32 accumulation does (255·255·K stays below 2³¹ for K up to 33,000 anyway).
//
// Zero points as the ONNX spec allows them: a scalar (or one-element vector) for the whole operand;
// per row of A as an M-vector (A 2-D) or [..., M, 1] (A N-D, its batch axes); per column of B as an
// N-vector (B 2-D) or [..., 1, N]. Any other shape is refused.
import { DT, GraphError, broadcastDims, broadcastStrides, forEachRow, size } from '../tensor.ts'
import type { NumberData, Tensor } from '../tensor.ts'
import * as cost from './cost.ts'
import type { OpDefinition, RunBudget } from './op.ts'

const OPERANDS = new Set<number>([DT.UINT8, DT.INT8])

/** Where each row's (or column's) zero point is: `at(batchOffset, i)` into `data`, or 0. */
interface ZeroPoint {
  data: NumberData | undefined
  /** the zero point's offset for batch element `b` of the operand (in the operand's own batch numbering) and row/column i */
  at(b: number, i: number): number
}

const NONE: ZeroPoint = { data: undefined, at: () => 0 }

function zeroPoint(zp: Tensor | undefined, operand: readonly number[], perAxis: 'row' | 'column', label: string): ZeroPoint {
  if (zp === undefined) return NONE
  const data = zp.data as NumberData
  if (data.length === 1 && zp.dims.length <= 1) return { data, at: () => 0 }
  const rank = operand.length
  const length = perAxis === 'row' ? operand[rank - 2] : operand[rank - 1]
  if (rank === 2 && zp.dims.length === 1 && zp.dims[0] === length) return { data, at: (_, i) => i }
  // N-D: the operand's shape with the reduced axis (K) set to 1
  const want = [...operand]
  want[perAxis === 'row' ? rank - 1 : rank - 2] = 1
  if (rank >= 2 && zp.dims.length === rank && zp.dims.every((d, i) => d === want[i])) return { data, at: (b, i) => b * length + i }
  throw new GraphError(`${label}: a zero point of shape [${zp.dims.join(',')}] does not fit an operand of shape [${operand.join(',')}] (scalar, per ${perAxis}, or per ${perAxis} of each batch element)`)
}

export function matMulInteger(label: string, inputs: ReadonlyArray<Tensor | undefined>, budget: RunBudget): Tensor {
  const [a, b, aZp, bZp] = inputs as [Tensor, Tensor, Tensor | undefined, Tensor | undefined]
  if (a.dims.length === 0 || b.dims.length === 0) throw new GraphError(`${label}: operands must have at least one dimension`)
  const aDims = a.dims.length === 1 ? [1, a.dims[0]] : [...a.dims]
  const bDims = b.dims.length === 1 ? [b.dims[0], 1] : [...b.dims]
  const M = aDims[aDims.length - 2]
  const K = aDims[aDims.length - 1]
  const N = bDims[bDims.length - 1]
  if (bDims[bDims.length - 2] !== K) throw new GraphError(`${label}: shapes [${a.dims.join(',')}] and [${b.dims.join(',')}] cannot be multiplied`)
  const za = zeroPoint(aZp, a.dims.length === 1 ? [1, K] : aDims, 'row', label)
  const zb = zeroPoint(bZp, b.dims.length === 1 ? [K, 1] : bDims, 'column', label)
  const aBatch = aDims.slice(0, -2)
  const bBatch = bDims.slice(0, -2)
  const batch = broadcastDims([aBatch, bBatch], label)
  const dims = [...batch, ...(a.dims.length === 1 ? [] : [M]), ...(b.dims.length === 1 ? [] : [N])]
  const out = budget.alloc(DT.INT32, dims)
  // nothing to write: the batch axes of an empty product (2³¹ × 2³¹ × 0) need not be walked
  if (size(dims) === 0) return out
  // per batch element: its zero points (N) and a row walk; per row of A: its K values less the zero
  // point and a pass over K (four at a time, so per four of K one pass over N); then the multiply-adds
  const batches = size(batch)
  budget.work(batches * (cost.ROW + N + M * (cost.ROW + 2 * K + Math.ceil(K / 4) * cost.ROW) + M * K * N))
  budget.scratch(4 * (N + K))
  const od = out.data as Int32Array
  const ad = a.data as NumberData
  const bd = b.data as NumberData
  // batch offsets in units of matrices: A's and B's own batch index of each output batch element
  const aSt = broadcastStrides(aBatch, batch)
  const bSt = broadcastStrides(bBatch, batch)
  const bCol = new Int32Array(N)
  const aRow = new Int32Array(K)
  let o = 0
  // one "row" per batch element: a rank-0 batch is one element, otherwise the last batch axis is walked too
  forEachRow([...batch, 1], [[...aSt, 0], [...bSt, 0]], (_, [ia, ib]) => {
    const aBase = ia * M * K
    const bBase = ib * K * N
    for (let n = 0; n < N; n++) bCol[n] = zb.data === undefined ? 0 : zb.data[zb.at(ib, n)]
    const uniform = bCol.every((z) => z === bCol[0])
    for (let m = 0; m < M; m++, o += N) {
      const zaRow = za.data === undefined ? 0 : za.data[za.at(ia, m)]
      for (let k = 0; k < K; k++) aRow[k] = ad[aBase + m * K + k] - zaRow
      if (uniform) accumulateUniform(od, o, aRow, bd, bBase, K, N, bCol[0])
      else accumulatePerColumn(od, o, aRow, bd, bBase, K, N, bCol)
    }
  })
  return out
}

/**
 * out[o..o+N) += Σ_k a[k]·(B[k][n] − z), four rows of B at a time (the sum of four products and
 * the int32 value is exact before the store wraps it): the hot loop of attribution by a graph.
 */
function accumulateUniform(od: Int32Array, o: number, a: Int32Array, bd: NumberData, base: number, K: number, N: number, z: number): void {
  let k = 0
  for (; k + 3 < K; k += 4) {
    const a0 = a[k]
    const a1 = a[k + 1]
    const a2 = a[k + 2]
    const a3 = a[k + 3]
    if ((a0 | a1 | a2 | a3) === 0) continue
    const r0 = base + k * N
    const r1 = r0 + N
    const r2 = r1 + N
    const r3 = r2 + N
    for (let n = 0; n < N; n++) od[o + n] += a0 * (bd[r0 + n] - z) + a1 * (bd[r1 + n] - z) + a2 * (bd[r2 + n] - z) + a3 * (bd[r3 + n] - z)
  }
  for (; k < K; k++) {
    const av = a[k]
    if (av === 0) continue
    const r = base + k * N
    for (let n = 0; n < N; n++) od[o + n] += av * (bd[r + n] - z)
  }
}

function accumulatePerColumn(od: Int32Array, o: number, a: Int32Array, bd: NumberData, base: number, K: number, N: number, z: Int32Array): void {
  for (let k = 0; k < K; k++) {
    const av = a[k]
    if (av === 0) continue
    const r = base + k * N
    for (let n = 0; n < N; n++) od[o + n] += av * (bd[r + n] - z[n])
  }
}

export const MATMUL_INTEGER: OpDefinition = {
  since: 10,
  attributes: () => [],
  inputs: { required: 2, max: 4 },
  outputs: { required: 1, max: 1 },
  compile(node) {
    const [ta, tb, tza, tzb] = node.inputTypes
    for (const [t, what] of [[ta, 'A'], [tb, 'B']] as const) {
      if (t === undefined || !OPERANDS.has(t)) throw new GraphError(`${node.label}: operand ${what} must be uint8 or int8`)
    }
    if (tza !== undefined && tza !== ta) throw new GraphError(`${node.label}: a_zero_point must have A's type`)
    if (tzb !== undefined && tzb !== tb) throw new GraphError(`${node.label}: b_zero_point must have B's type`)
    return { outputTypes: [DT.INT32], kernel: (inputs, budget) => [matMulInteger(node.label, inputs, budget)] }
  },
}
