// The attribution function in its plainest form — the specification every kernel must match
// bit for bit: for each candidate, the exact integer dot product of its int8 sketch with the
// query's, clamped at zero; the best k in the consensus order (score desc, index asc).
import { TopK } from './topk.ts'
import type { Scored } from './topk.ts'

/** The exact dot product of row i (rows: N × dim int8, row-major) with the query (dim int8). */
export function dot(rows: Int8Array, dim: number, i: number, query: Int8Array): number {
  let s = 0
  const o = i * dim
  for (let j = 0; j < dim; j++) s += rows[o + j] * query[j]
  return s
}

/** The top k of the listed rows (every row if none are listed). */
export function scoreReference(rows: Int8Array, dim: number, query: Int8Array, k: number, indexes?: Iterable<number>): Scored[] {
  const top = new TopK(k)
  for (const i of indexes ?? Array.from({ length: rows.length / dim }, (_, i) => i)) top.offer(i, dot(rows, dim, i, query))
  return top.result()
}
