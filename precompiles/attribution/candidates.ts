// A candidate set: the accepted contributions one model's receipts are scored against, with the
// derived structures that make scoring fast — the WebAssembly matrix, an onnxruntime session, the
// index of the indexed mode (IVF or LSH). All are caches of the set's sketches; results are
// identical whichever is used.
import { IvfIndex } from './ivf.ts'
import type { IvfParams } from './ivf.ts'
import { LshIndex } from './lsh.ts'
import type { LshParams } from './lsh.ts'
import { OnnxScorer } from './onnx/accelerator.ts'
import { scoreReference } from './reference.ts'
import type { Scored } from './topk.ts'
import { WasmKernel } from './wasm/kernel.ts'

export type Kernel = 'js' | 'wasm' | 'onnx'
export type Mode = 'exact' | 'indexed'

export interface CandidateSetOptions {
  kernel: Kernel
  intraOpNumThreads: number
  /** the index of the indexed mode: an IVF (preferred) or an LSH index; without either, indexed is exact */
  ivf?: IvfParams
  lsh?: LshParams
}

/** An IVF with the rows in its cluster order, for the kernel that scans them. */
interface Clustered {
  index: IvfIndex
  /** the WebAssembly kernel over the rows in cluster order (none for the JS kernel) */
  scan: WasmKernel | undefined
  ranges: Int32Array
}

export class CandidateSet {
  readonly dim: number
  readonly size: number
  readonly rows: Int8Array
  readonly kernel: Kernel
  readonly #wasm: WasmKernel | undefined
  readonly #onnx: OnnxScorer | undefined
  readonly #lsh: LshIndex | undefined
  readonly #ivf: Clustered | undefined
  readonly #k: number
  /** scratch of the JavaScript indexed path */
  #seen: Uint8Array | undefined
  #probed: Int32Array | undefined

  private constructor(rows: Int8Array, dim: number, k: number, kernel: Kernel, wasm?: WasmKernel, onnx?: OnnxScorer, lsh?: LshIndex, ivf?: Clustered) {
    this.rows = rows
    this.dim = dim
    this.size = rows.length / dim
    this.#k = k
    this.kernel = kernel
    this.#wasm = wasm
    this.#onnx = onnx
    this.#lsh = lsh
    this.#ivf = ivf
  }

  /** rows: N × dim int8, in candidate order (ascending contribution id) */
  static async build(rows: Int8Array, dim: number, k: number, opts: CandidateSetOptions): Promise<CandidateSet> {
    const wasm = opts.kernel === 'js' ? undefined : await WasmKernel.create(rows, dim)
    const onnx = opts.kernel === 'onnx' && rows.length > 0 ? await OnnxScorer.create(rows, dim, k, { intraOpNumThreads: opts.intraOpNumThreads }) : undefined
    if (opts.ivf !== undefined && opts.lsh !== undefined) throw new Error('a candidate set has one index: IVF or LSH')
    const lsh = opts.lsh === undefined ? undefined : await LshIndex.build(rows, dim, opts.lsh)
    if (lsh !== undefined) wasm?.attachBuckets(lsh.members, lsh.maxRanges)
    const ivf = opts.ivf === undefined || rows.length === 0 ? undefined : await clustered(rows, dim, opts.ivf, opts.kernel !== 'js')
    return new CandidateSet(rows, dim, k, opts.kernel, wasm, onnx, lsh, ivf)
  }

  /**
   * The top k of each query (queries: B × dim int8), in the consensus order. `indexed` scores the
   * candidates the LSH index proposes (the exact scan when the set was built without one).
   */
  async scoreBatch(queries: Int8Array, mode: Mode): Promise<Scored[][]> {
    const batch = queries.length / this.dim
    const q = (b: number) => queries.subarray(b * this.dim, (b + 1) * this.dim)
    if (mode === 'indexed' && this.#ivf !== undefined) return this.#clustered(queries)
    if (mode === 'indexed' && this.#lsh !== undefined) {
      const z = this.#lsh.project(queries)
      return Array.from({ length: batch }, (_, b) => this.#indexed(q(b), z, b))
    }
    if (this.#onnx !== undefined && batch > 0) {
      const out = await this.#onnx.scoreBatch(queries)
      // a tie at the k-th place leaves the set undetermined: that query takes the exact scan
      return out.map((r, b) => r ?? this.#exact(q(b)))
    }
    return Array.from({ length: batch }, (_, b) => this.#exact(q(b)))
  }

  /**
   * Per query (queries: B × dim int8), the candidates the indexed mode scores, in ascending order:
   * the members of the IVF clusters it probes, or of the LSH buckets; every candidate without an
   * index. What a registered scoring graph is given in the indexed mode.
   */
  probedSets(queries: Int8Array): Int32Array[] {
    const batch = queries.length / this.dim
    const ascending = (ids: Iterable<number>) => Int32Array.from(ids).sort()
    if (this.#ivf !== undefined) {
      const ivf = this.#ivf
      const z = ivf.index.project(queries)
      return Array.from({ length: batch }, (_, b) => ascending(clusterMembers(ivf.ranges, ivf.index.probe(z, b, ivf.ranges), ivf.index.order)))
    }
    if (this.#lsh !== undefined) {
      const lsh = this.#lsh
      const z = lsh.project(queries)
      return Array.from({ length: batch }, (_, b) => ascending(lsh.candidates(z, b, (this.#seen ??= new Uint8Array(this.size)), (this.#probed ??= new Int32Array(this.size)))))
    }
    return Array.from({ length: batch }, () => Int32Array.from({ length: this.size }, (_, i) => i))
  }

  async scoreOne(query: Int8Array, mode: Mode): Promise<Scored[]> {
    return (await this.scoreBatch(query, mode))[0]
  }

  #exact(query: Int8Array): Scored[] {
    if (this.#wasm !== undefined) return this.#wasm.top(query, this.#k)
    return scoreReference(this.rows, this.dim, query, this.#k)
  }

  #indexed(query: Int8Array, z: Int32Array, b: number): Scored[] {
    const lsh = this.#lsh as LshIndex
    if (this.#wasm !== undefined) return this.#wasm.probe(query, lsh.ranges(z, b, this.#wasm.ranges), this.#k)
    const ids = lsh.candidates(z, b, (this.#seen ??= new Uint8Array(this.size)), (this.#probed ??= new Int32Array(this.size)))
    return scoreReference(this.rows, this.dim, query, this.#k, ids)
  }

  /** The indexed mode over an IVF: each query of the batch scores the clusters it probes. */
  #clustered(queries: Int8Array): Scored[][] {
    const ivf = this.#ivf as Clustered
    const batch = queries.length / this.dim
    const z = ivf.index.project(queries)
    const probes = Array.from({ length: batch }, (_, b) => ivf.ranges.slice(0, 2 * ivf.index.probe(z, b, ivf.ranges)))
    // queries that start in the same cluster run one after another, while its rows are in cache;
    // each query's answer is the same in any order
    const order = Array.from({ length: batch }, (_, b) => b).sort((a, b) => (probes[a][0] ?? 0) - (probes[b][0] ?? 0) || a - b)
    const out = new Array<Scored[]>(batch)
    for (const b of order) {
      const q = queries.subarray(b * this.dim, (b + 1) * this.dim)
      out[b] = ivf.scan !== undefined
        ? ivf.scan.topOfRanges(q, probes[b], this.#k)
        : scoreReference(this.rows, this.dim, q, this.#k, clusterMembers(probes[b], probes[b].length / 2, ivf.index.order))
    }
    return out
  }

  async release(): Promise<void> {
    await this.#onnx?.release()
  }
}

async function clustered(rows: Int8Array, dim: number, params: IvfParams, wasm: boolean): Promise<Clustered> {
  const index = await IvfIndex.build(rows, dim, params)
  const scan = wasm ? await WasmKernel.create(index.reorder(rows, dim), dim) : undefined
  scan?.attachOrder(index.order, index.lists)
  return { index, scan, ranges: new Int32Array(2 * index.lists) }
}

/** The candidates in the first `count` (first, count) ranges of an IVF's cluster order. */
function* clusterMembers(ranges: Int32Array, count: number, order: Int32Array): Generator<number> {
  for (let r = 0; r < count; r++) for (let p = ranges[2 * r]; p < ranges[2 * r] + ranges[2 * r + 1]; p++) yield order[p]
}
