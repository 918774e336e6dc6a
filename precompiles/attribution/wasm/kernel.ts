// The WebAssembly SIMD kernel (the reference and fallback). Each candidate set gets its own
// instance whose memory holds its rows — and, for the indexed mode, its LSH bucket lists — so
// scoring a query never copies the matrix.
import { TopK, TopKBuffer } from '../topk.ts'
import type { Scored } from '../topk.ts'
import { align, instantiate, strideOf } from './module.ts'
import type { KernelExports } from './module.ts'

export { kernelModule } from './module.ts'
export { Projector } from './projector.ts'

const CHUNK = 4096
/** rows of a query's first scan in an IVF cluster; the pieces after double */
const FIRST_PIECE = 64

/** Where the indexed mode's structures live in the instance's memory. */
interface Buckets {
  members: number
  ranges: number
  maxRanges: number
  seen: number
  ids: number
  scores: number
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
  #buckets: Buckets | undefined
  #buffer: TopKBuffer | undefined
  #pairView: Int32Array | undefined

  private constructor(x: KernelExports, n: number, dim: number, query: number, out: number, ids: number, capacity: number) {
    this.#x = x
    this.n = n
    this.dim = dim
    this.stride = strideOf(dim)
    this.#query = query
    this.#out = out
    this.#ids = ids
    this.#capacity = capacity
  }

  /** rows: N × dim int8, row-major */
  static async create(rows: Int8Array, dim: number, gatherCapacity = 65_536): Promise<WasmKernel> {
    const n = rows.length / dim
    const stride = strideOf(dim)
    // scan reads up to three rows past the last: the query and output areas after the rows take it
    const query = align(n * stride)
    const out = align(query + stride * 2)
    const ids = align(out + Math.max(CHUNK * 8, gatherCapacity * 4 + 16))
    const x = await instantiate(ids + gatherCapacity * 4 + 16)
    const mem = new Int8Array(x.memory.buffer)
    if (stride === dim) mem.set(rows, 0)
    else for (let i = 0; i < n; i++) mem.set(rows.subarray(i * dim, i * dim + dim), i * stride)
    return new WasmKernel(x, n, dim, query, out, ids, gatherCapacity)
  }

  /** the (row, score) pairs scan writes; a view made again only if the memory grew */
  #pairs(): Int32Array {
    if (this.#pairView === undefined || this.#pairView.buffer !== this.#x.memory.buffer) this.#pairView = new Int32Array(this.#x.memory.buffer, this.#out, CHUNK * 2)
    return this.#pairView
  }

  #setQuery(q: Int8Array): void {
    const wide = new Int16Array(this.#x.memory.buffer, this.#query, this.stride)
    wide.set(q)
    if (this.dim < this.stride) wide.fill(0, this.dim)
  }

  /** Full scan of all rows: the top k in the consensus order. */
  top(q: Int8Array, k: number): Scored[] {
    this.#setQuery(q)
    const top = new TopK(k)
    for (let first = 0; first < this.n; first += CHUNK) {
      const count = Math.min(CHUNK, this.n - first)
      const found = this.#x.scan(this.#rows, first, count, this.stride, this.#query, top.threshold, this.#out)
      const out = new Int32Array(this.#x.memory.buffer, this.#out, found * 2)
      for (let f = 0; f < found; f++) top.offer(out[2 * f], out[2 * f + 1])
    }
    return top.result()
  }

  /**
   * The top k of the rows in (first, count) ranges, scanned in the given order, where row p stands
   * for candidate index[p] (an IVF's cluster order). What can no longer enter the top k is dropped
   * after each range, and the kernel reports only scores above what can.
   */
  scanRanges(q: Int8Array, ranges: Int32Array, nranges: number, index: Int32Array, k: number): Scored[] {
    this.#setQuery(q)
    const top = this.#buffer?.k === k ? this.#buffer : (this.#buffer = new TopKBuffer(k))
    top.reset()
    for (let r = 0; r < nranges; r++) {
      const end = ranges[2 * r] + ranges[2 * r + 1]
      // the first pieces raise the floor early, so that later rows rarely leave the kernel
      for (let first = ranges[2 * r], piece = FIRST_PIECE; first < end; first += piece, piece = Math.min(CHUNK, 2 * piece)) {
        const found = this.#x.scan(this.#rows, first, Math.min(piece, end - first), this.stride, this.#query, top.floor, this.#out)
        top.add(this.#pairs(), found, index)
      }
    }
    return top.result()
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
    let at = align(this.#ids + this.#capacity * 4 + 16)
    const place = (bytes: number) => {
      const p = at
      at = align(at + bytes)
      return p
    }
    const b: Buckets = {
      members: place(members.length * 4),
      ranges: place(maxRanges * 8),
      maxRanges,
      seen: place(Math.ceil(this.n / 32) * 4),
      ids: place(this.n * 4 + 16),
      scores: place(this.n * 4 + 16),
    }
    const pages = Math.ceil(at / 65_536) - this.#x.memory.buffer.byteLength / 65_536
    if (pages > 0) this.#x.memory.grow(pages)
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
