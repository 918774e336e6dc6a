// A candidate set: the accepted contributions one model's receipts are scored against, with the
// derived structures that make scoring fast — the WebAssembly matrix, an onnxruntime session, the
// index of the indexed mode (IVF or LSH). All are caches of the set's sketches; results are
// identical whichever is used.
import { clusterMembers, clusteredFrom, scoreClustered } from './clustered.ts'
import type { Clustered } from './clustered.ts'
import { IvfIndex } from './ivf.ts'
import type { IvfParams } from './ivf.ts'
import { LshIndex } from './lsh.ts'
import type { LshParams } from './lsh.ts'
import { OnnxScorer } from './onnx/accelerator.ts'
import { scoreReference } from './reference.ts'
import type { ScoringThread } from './scoringThread.ts'
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
  /** where an IVF set scanned by WebAssembly is scored, if not on this thread */
  thread?: ScoringThread
}

/** A set the scoring thread holds. */
interface Remote {
  thread: ScoringThread
  set: number
}

export class CandidateSet {
  readonly dim: number
  readonly size: number
  readonly rows: Int8Array
  readonly kernel: Kernel
  readonly #wasm: WasmKernel | undefined
  readonly #onnx: OnnxScorer | undefined
  readonly #lsh: LshIndex | undefined
  #ivf: Clustered | undefined
  #remote: Remote | undefined
  readonly #k: number
  /** scratch of the JavaScript indexed path */
  #seen: Uint8Array | undefined
  #probed: Int32Array | undefined

  private constructor(rows: Int8Array, dim: number, k: number, kernel: Kernel, wasm?: WasmKernel, onnx?: OnnxScorer, lsh?: LshIndex, ivf?: Clustered, remote?: Remote) {
    this.#remote = remote
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
    const index = opts.ivf === undefined || rows.length === 0 ? undefined : await IvfIndex.build(rows, dim, opts.ivf)
    const scanned = index !== undefined && opts.kernel !== 'js'
    const remote = scanned && opts.thread !== undefined ? await attach(opts.thread, dim, k, index.reorder(rows, dim), index) : undefined
    // the rows in cluster order are copied into a WebAssembly scan here only where the scoring
    // thread does not hold them (≈ 13 MB a set at 100,000 × 128); #threaded makes it if the thread fails
    const ivf = index === undefined ? undefined : await clusteredFrom(index, scanned && remote === undefined ? index.reorder(rows, dim) : undefined, dim)
    return new CandidateSet(rows, dim, k, opts.kernel, wasm, onnx, lsh, ivf, remote)
  }

  /** whether the scoring thread scores this set's indexed mode */
  get threaded(): boolean {
    return this.#remote !== undefined
  }

  /**
   * The top k of each query (queries: B × dim int8), in the consensus order. `indexed` scores the
   * candidates the LSH index proposes (the exact scan when the set was built without one).
   */
  async scoreBatch(queries: Int8Array, mode: Mode): Promise<Scored[][]> {
    const batch = queries.length / this.dim
    const q = (b: number) => queries.subarray(b * this.dim, (b + 1) * this.dim)
    if (mode === 'indexed' && this.#ivf !== undefined) return this.#remote !== undefined ? this.#threaded(this.#remote, queries) : this.#clustered(queries)
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
    return scoreClustered(this.#ivf as Clustered, this.rows, this.dim, this.#k, queries)
  }

  /** The same, by the scoring thread; here again, with a scan of its own, if the thread has failed. */
  async #threaded(remote: Remote, queries: Int8Array): Promise<Scored[][]> {
    try {
      return await remote.thread.score(remote.set, queries, this.dim)
    } catch (err) {
      if (remote.thread.failure === undefined) throw err
      if (this.#remote !== undefined) {
        this.#remote = undefined
        const index = (this.#ivf as Clustered).index
        this.#ivf = await clusteredFrom(index, index.reorder(this.rows, this.dim), this.dim)
      }
      return this.#clustered(queries)
    }
  }

  async release(): Promise<void> {
    if (this.#remote !== undefined) this.#remote.thread.detach(this.#remote.set)
    this.#remote = undefined
    await this.#onnx?.release()
  }
}

/** The set given to the scoring thread (which takes `reordered`), or none if the thread has failed. */
async function attach(thread: ScoringThread, dim: number, k: number, reordered: Int8Array, index: IvfIndex): Promise<Remote | undefined> {
  if (thread.failure !== undefined) return undefined
  try {
    return { thread, set: await thread.attach(dim, k, reordered, index.parts()) }
  } catch (err) {
    if (thread.failure === undefined) throw err
    return undefined
  }
}
