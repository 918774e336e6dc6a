// The attribution function in its plainest form — the specification every kernel must match
// bit for bit: for each candidate, the exact integer dot product of its int8 sketch with the
// query's, clamped at zero; the best k in the consensus order (score desc, index asc).
import { TopK } from './topk.ts'
import type { Scored } from './topk.ts'

/** rows: N × dim int8, row-major; query: dim int8 */
export function scoreReference(rows: Int8Array, dim: number, query: Int8Array, k: number): Scored[] {
  const n = rows.length / dim
  const top = new TopK(k)
  for (let i = 0; i < n; i++) {
    let s = 0
    const o = i * dim
    for (let j = 0; j < dim; j++) s += rows[o + j] * query[j]
    top.offer(i, s)
  }
  return top.result()
}
