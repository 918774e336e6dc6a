// The indexed mode over an IVF: the index with the rows in its cluster order for the WebAssembly
// scan, and the scoring of a batch, each query scanning the clusters it probes. The same code
// scores on the main thread and in the scoring thread (scoringThread.ts): same answers from both.
import type { IvfIndex } from './ivf.ts'
import { scoreReference } from './reference.ts'
import type { Scored } from './topk.ts'
import { WasmKernel } from './wasm/kernel.ts'

/** An IVF with the kernel that scans its rows in cluster order (none for the JS kernel). */
export interface Clustered {
  index: IvfIndex
  scan: WasmKernel | undefined
  /** scratch: a query's (first, count) ranges */
  ranges: Int32Array
}

/** `reordered`: the rows in the index's cluster order (IvfIndex.reorder), for the WebAssembly scan. */
export async function clusteredFrom(index: IvfIndex, reordered: Int8Array | undefined, dim: number): Promise<Clustered> {
  const scan = reordered === undefined ? undefined : await WasmKernel.create(reordered, dim)
  scan?.attachOrder(index.order, index.lists)
  return { index, scan, ranges: new Int32Array(2 * index.lists) }
}

/** The top k of each query of the batch (B × dim); `rows` (candidate order) serve the JS kernel. */
export function scoreClustered(ivf: Clustered, rows: Int8Array, dim: number, k: number, queries: Int8Array): Scored[][] {
  const batch = queries.length / dim
  const z = ivf.index.project(queries)
  const probes = Array.from({ length: batch }, (_, b) => ivf.ranges.slice(0, 2 * ivf.index.probe(z, b, ivf.ranges)))
  // queries that start in the same cluster run one after another, while its rows are in cache;
  // each query's answer is the same in any order
  const order = Array.from({ length: batch }, (_, b) => b).sort((a, b) => (probes[a][0] ?? 0) - (probes[b][0] ?? 0) || a - b)
  const out = new Array<Scored[]>(batch)
  for (const b of order) {
    const q = queries.subarray(b * dim, (b + 1) * dim)
    out[b] = ivf.scan !== undefined
      ? ivf.scan.topOfRanges(q, probes[b], k)
      : scoreReference(rows, dim, q, k, clusterMembers(probes[b], probes[b].length / 2, ivf.index.order))
  }
  return out
}

/** The candidates in the first `count` (first, count) ranges of an IVF's cluster order. */
export function* clusterMembers(ranges: Int32Array, count: number, order: Int32Array): Generator<number> {
  for (let r = 0; r < count; r++) for (let p = ranges[2 * r]; p < ranges[2 * r] + ranges[2 * r + 1]; p++) yield order[p]
}
