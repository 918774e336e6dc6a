// The WebAssembly SIMD kernel (the reference and fallback). Each candidate set gets its own
// instance whose memory holds its rows — and, for the indexed mode, its IVF cluster order or LSH
// bucket lists — so scoring a query never copies the matrix.
import { TopK } from '../topk.ts'
import type { Scored } from '../topk.ts'
import { align, instantiate, strideOf } from './module.ts'
import type { KernelExports } from './module.ts'

export { kernelModule } from './module.ts'
export { Projector } from './projector.ts'

/** the largest k of `top`: its heap of (candidate, score) pairs lives in the output area */
const MAX_TOP_K = 4096

/** Where the indexed mode's structures live in the instance's memory. */
interface Buckets {
  members: number
  ranges: number
  maxRanges: number
  seen: number
  ids: number
  scores: number
}

/** An IVF's cluster order in the instance's memory, and room for the ranges a query scans. */
interface Clusters {
  order: number
  ranges: number
  maxRanges: number
}

export class WasmKernel {
  readonly n: number
  readonly dim: number
  readonly stride: number
  readonly #x: KernelExports
  readonly #rows = 0
  readonly #query: number
  readonly #out: number
  readonly #ids: number
  readonly #capacity: number
  /** the one range of a full scan */
  readonly #all: number
  #buckets: Buckets | undefined
  #clusters: Clusters | undefined
  /** the end of what is placed in the memory */
  #end: number

  private constructor(x: KernelExports, n: number, dim: number, query: number, out: number, ids: number, capacity: number, all: number) {
    this.#x = x
    this.n = n
    this.dim = dim
    this.stride = strideOf(dim)
    this.#query = query
    this.#out = out
    this.#ids = ids
    this.#capacity = capacity
    this.#all = all
    this.#end = all + 8
  }

  /** rows: N × dim int8, row-major */
  static async create(rows: Int8Array, dim: number, gatherCapacity = 65_536): Promise<WasmKernel> {
    const n = rows.length / dim
    const stride = strideOf(dim)
    // top reads up to three rows past the last: the query and output areas after the rows take it
    const query = align(n * stride)
    const out = align(query + stride * 2)
    const ids = align(out + Math.max(MAX_TOP_K * 8, gatherCapacity * 4 + 16))
    const all = align(ids + gatherCapacity * 4 + 16)
    const x = await instantiate(all + 8)
    const mem = new Int8Array(x.memory.buffer)
    if (stride === dim) mem.set(rows, 0)
    else for (let i = 0; i < n; i++) mem.set(rows.subarray(i * dim, i * dim + dim), i * stride)
    new Int32Array(x.memory.buffer, all, 2).set([0, n])
    return new WasmKernel(x, n, dim, query, out, ids, gatherCapacity, all)
  }

  #setQuery(q: Int8Array): void {
    const wide = new Int16Array(this.#x.memory.buffer, this.#query, this.stride)
    wide.set(q)
    if (this.dim < this.stride) wide.fill(0, this.dim)
  }

  /** Full scan of all rows: the top k in the consensus order. */
  top(q: Int8Array, k: number): Scored[] {
    this.#setQuery(q)
    return this.#topOf(-1, this.#all, 1, k)
  }

  /**
   * Places an IVF's cluster order (row p stands for candidate order[p]) in this instance, which
   * holds the rows in that order, for `topOfRanges`; a query scans at most `maxRanges` ranges.
   */
  attachOrder(order: Int32Array, maxRanges: number): void {
    const c: Clusters = { order: this.#grow(order.length * 4), ranges: this.#grow(maxRanges * 8), maxRanges }
    new Int32Array(this.#x.memory.buffer, c.order, order.length).set(order)
    this.#clusters = c
  }

  /**
   * The top k of the rows in the given (first, count) ranges of the attached cluster order, in the
   * consensus order. The whole selection runs in the kernel: what can no longer enter the top k
   * costs one comparison and never leaves it.
   */
  topOfRanges(q: Int8Array, ranges: Int32Array, k: number): Scored[] {
    const c = this.#clusters
    if (c === undefined) throw new Error('no cluster order attached')
    if (ranges.length > 2 * c.maxRanges) throw new Error(`at most ${c.maxRanges} ranges`)
    this.#setQuery(q)
    new Int32Array(this.#x.memory.buffer, c.ranges, ranges.length).set(ranges)
    return this.#topOf(c.order, c.ranges, ranges.length / 2, k)
  }

  /** runs the kernel's top k over `nranges` ranges at `ranges`: it leaves them best first */
  #topOf(order: number, ranges: number, nranges: number, k: number): Scored[] {
    if (!(k >= 1 && k <= MAX_TOP_K)) throw new Error(`k must be 1–${MAX_TOP_K}`)
    const held = this.#x.top(this.#rows, this.stride, this.#query, order, ranges, nranges, k, this.#out)
    const heap = new Int32Array(this.#x.memory.buffer, this.#out, 2 * held)
    const out: Scored[] = new Array<Scored>(held)
    for (let h = 0; h < held; h++) out[h] = { index: heap[2 * h], score: heap[2 * h + 1] }
    return out
  }

  /** reserves `bytes` after everything placed so far, growing the memory if needed */
  #grow(bytes: number): number {
    const at = align(this.#end)
    this.#end = align(at + bytes)
    const pages = Math.ceil(this.#end / 65_536) - this.#x.memory.buffer.byteLength / 65_536
    if (pages > 0) this.#x.memory.grow(pages)
    return at
  }

  /** The top k of the listed rows (in any order, no repeats) for one query. */
  gather(q: Int8Array, indexes: Int32Array, k: number): Scored[] {
    this.#setQuery(q)
    const top = new TopK(k)
    for (let start = 0; start < indexes.length; start += this.#capacity) {
      const part = indexes.subarray(start, Math.min(indexes.length, start + this.#capacity))
      // the kernel takes four rows at a time: pad with row 0 and ignore its scores
      const ids = new Int32Array(this.#x.memory.buffer, this.#ids, (part.length + 3) & ~3)
      ids.set(part)
      ids.fill(0, part.length)
      this.#x.gather(this.#rows, this.#ids, ids.length, this.stride, this.#query, this.#out)
      offerAll(top, part, new Int32Array(this.#x.memory.buffer, this.#out, part.length))
    }
    return top.result()
  }

  /**
   * Copies an LSH index's bucket lists into this instance (for `probe`); `maxRanges` bounds the
   * ranges one query probes.
   */
  attachBuckets(members: Int32Array, maxRanges: number): void {
    const b: Buckets = {
      members: this.#grow(members.length * 4),
      ranges: this.#grow(maxRanges * 8),
      maxRanges,
      seen: this.#grow(Math.ceil(this.n / 32) * 4),
      ids: this.#grow(this.n * 4 + 16),
      scores: this.#grow(this.n * 4 + 16),
    }
    new Int32Array(this.#x.memory.buffer, b.members, members.length).set(members)
    this.#buckets = b
  }

  /** Where `probe` reads its (from, to) member ranges: fill it, then call probe. */
  get ranges(): Int32Array {
    const b = this.#buckets
    if (b === undefined) throw new Error('no buckets attached')
    return new Int32Array(this.#x.memory.buffer, b.ranges, b.maxRanges * 2)
  }

  /** The top k of the rows in the first `count` member ranges (each row counted once). */
  probe(q: Int8Array, count: number, k: number): Scored[] {
    const b = this.#buckets
    if (b === undefined) throw new Error('no buckets attached')
    this.#setQuery(q)
    const found = this.#x.probe(this.#rows, Math.ceil(this.n / 32), this.stride, this.#query, b.members, b.ranges, count, b.seen, b.ids, b.scores)
    const top = new TopK(k)
    offerAll(top, new Int32Array(this.#x.memory.buffer, b.ids, found), new Int32Array(this.#x.memory.buffer, b.scores, found))
    return top.result()
  }
}

function offerAll(top: TopK, ids: Int32Array, scores: Int32Array): void {
  let threshold = top.threshold
  for (let i = 0; i < ids.length; i++) {
    // most candidates fall below the current k-th score: one comparison, no call
    if (scores[i] >= threshold) {
      top.offer(ids[i], scores[i])
      threshold = top.threshold
    }
  }
}
