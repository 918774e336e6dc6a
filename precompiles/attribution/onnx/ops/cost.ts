// Weights of work units: one unit is meant to cost at most about one multiply-add of MatMulInteger
// in the default graph's shape (≈ 1.05 ns on the 2-core reference machine, Node 24), whatever op
// and shape a graph uses, so that the work bound — and the gas that covers it (gas.ts) — bounds
// CPU time. Kernels charge before they loop: per element, per innermost row, per block copied, per
// TopK slice and comparison. Measured there (ns each, worst shape found, best of 5 after a
// warm-up): a row walked 21–35 (rows of one element), a block copied by subarray/set 40–100, a TopK
// slice set up 500–560 (slices of one), a heap step 7 over ≈ 20 per element entering it (an
// ascending input), a sorting step 13 (numbers) or 27–50 (BigInts), an input of Add/Max/… 700,
// a 64-bit element added or copied ≈ 1.5–3, converted from or to a number 12–21; an element read
// with an innermost source stride of a cache line or more (Transpose of int32 [64,1024,256] by perm
// [2,1,0], [1024,1024,16], uint8 at n = 1M) 11–16, where the weight of a contiguous element had
// let a graph spend its whole bound at ≈ 23× the default graph's time per gas; a Gather index into
// 64 MB, a miss each, ≈ 215 (medians of 6 sweeps interleaved with the default graph).
import { DT, elementBytes } from '../tensor.ts'

/** An element of a 64-bit type added, compared in place or copied (BigInt64Array loops V8 keeps unboxed). */
export const BIG_ELEMENT = 3
/** A conversion between a number and a BigInt (Cast to or from a 64-bit type, TopK's slice and indices, Gather's int64 indices): 12–21 ns. */
export const BIG_CONVERT = 24
/** An innermost row of a strided walk (forEachRow's callback and odometer step), per operand. */
export const ROW = 20
/** A block copied with subarray/set (Concat per input and outer index). */
export const BLOCK = 100
/** A block Gather copies, per index and outer index: from wherever the index points, a cache miss in a large tensor. */
export const GATHER_BLOCK = 240
/**
 * An element read by a strided walk (Transpose, Slice) whose innermost source stride spans a cache
 * line or more: every read is a line of its own. A shorter stride is charged its part of a line.
 */
export const FAR_ELEMENT = 17
const CACHE_LINE = 64
/** A TopK slice: its selection set up (arrays, closures) and sorted. */
export const SLICE = 600
/** An input of an element-wise op: its broadcast strides and per-row calls set up. */
export const INPUT = 700
/** TopK of numbers by a heap: an element considered, and each level it may sift through. */
export const HEAP_ELEMENT = 20
export const HEAP_STEP = 7
/** TopK by a sort (k ≥ L/4) or of BigInts: a comparison step, per element and level. */
export const SORT_STEP = 13
export const BIG_SORT_STEP = 50

/** The weight of one element operation of `type`. */
export function element(type: number): number {
  return type === DT.INT64 || type === DT.UINT64 ? BIG_ELEMENT : 1
}

/**
 * The weight of one element of `type` read by a strided walk whose innermost source stride is
 * `stride` elements: an element's weight when contiguous, else ⌈FAR_ELEMENT × min(stride bytes,
 * 64) / 64⌉ (integers over a power of two: exact), and never below an element's weight.
 */
export function stridedElement(type: number, stride: number): number {
  const step = Math.abs(stride)
  if (step <= 1) return element(type)
  const bytes = Math.min(step * elementBytes(type), CACHE_LINE)
  return Math.max(element(type), Math.ceil((FAR_ELEMENT * bytes) / CACHE_LINE))
}

/** Walking every innermost row of a shape of `total` elements (a rank-0 shape is one row), per operand. */
export function rowWalk(dims: readonly number[], total: number): number {
  return (total / (dims.length === 0 ? 1 : dims[dims.length - 1])) * ROW
}

/** ⌈log₂(n + 1)⌉ (at least 1), the depth of a heap or of a merge sort over n < 2³²; integer arithmetic, not Math.log2, whose last bit may vary. */
export function log2(n: number): number {
  return Math.max(1, 32 - Math.clz32(n))
}
