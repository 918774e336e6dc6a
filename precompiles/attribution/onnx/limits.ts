// Absolute bounds of a graph run, the same on every node. Whatever a graph asks beyond them fails
// with a GraphError before anything is allocated or looped over, so no validator can meet an
// allocation failure, an exception of another kind or a loop that another validator does not.
import { GraphError } from './tensor.ts'

/** Rank of any tensor: a scoring graph needs 2 or 3; per-op costs grow with the rank (broadcasting, strides, odometers). */
export const MAX_RANK = 8
/** Any one dimension: typed arrays and Int32 indices stay exact. */
export const MAX_DIM = 2 ** 31 - 1
/**
 * Work units of one run, whatever the graph's price: ≈ 1.1 s of the reference interpreter's worst
 * pattern (a unit is weighted to cost about one MatMulInteger multiply-add: ops/cost.ts). Every
 * validator must be able to spend this much on one query; the default graph at n = 1,000,000
 * candidates of d = 256 stays below it.
 */
export const MAX_WORK = 2 ** 30
/** Bytes of tensors (and kernel scratch) alive at once, whatever n and d: what every validator must be able to allocate. */
export const MAX_LIVE_BYTES = 256 * 1024 * 1024

/**
 * The number of elements of `dims`, refusing a rank, a dimension or an extent beyond the bounds.
 * The extent ∏ max(d, 1) bounds every loop over a tensor's dimensions — also of an empty tensor,
 * whose size 0 would let [2³², 2³², 0] through — so it must stay within the work a run may do.
 */
export function admittedSize(dims: readonly number[], maxExtent: number, what: string): number {
  if (dims.length > MAX_RANK) throw new GraphError(`${what} has rank ${dims.length}, beyond ${MAX_RANK}`)
  let n = 1
  let extent = 1
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0 || d > MAX_DIM) throw new GraphError(`${what} has dimension ${d}, not within [0, ${MAX_DIM}]`)
    n *= d
    extent *= Math.max(d, 1)
  }
  // each factor is below 2³¹ and the extent stays within maxExtent (< 2⁵³): the products are exact
  if (extent > maxExtent) throw new GraphError(`${what} of shape [${dims.join(',')}] spans more than ${maxExtent} positions`)
  return n
}
