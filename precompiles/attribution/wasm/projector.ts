// Projections of int8 vectors on fixed int8 planes — the LSH codes of a whole batch (or of every
// row at build time) in one call into WebAssembly instead of b × L dot products per vector in JS.
import { align, instantiate, strideOf } from './module.ts'
import type { KernelExports } from './module.ts'

export class Projector {
  readonly dim: number
  readonly planes: number
  readonly #x: KernelExports
  readonly #stride: number
  readonly #src: number
  readonly #out: number
  readonly #chunk: number

  private constructor(x: KernelExports, dim: number, planes: number, src: number, out: number, chunk: number) {
    this.#x = x
    this.dim = dim
    this.planes = planes
    this.#stride = strideOf(dim)
    this.#src = src
    this.#out = out
    this.#chunk = chunk
  }

  /** planes: P × dim int8 */
  static async create(planes: Int8Array, dim: number, chunk = 1024): Promise<Projector> {
    const p = planes.length / dim
    const stride = strideOf(dim)
    const src = align(p * stride * 2)
    const out = align(src + chunk * stride)
    const x = await instantiate(out + chunk * p * 4)
    const wide = new Int16Array(x.memory.buffer, 0, p * stride)
    for (let i = 0; i < p; i++) wide.set(planes.subarray(i * dim, (i + 1) * dim), i * stride)
    return new Projector(x, dim, p, src, out, chunk)
  }

  /** vectors: count × dim int8 → count × P projections (vector-major) */
  project(vectors: Int8Array, out = new Int32Array((vectors.length / this.dim) * this.planes)): Int32Array {
    const count = vectors.length / this.dim
    const mem = new Int8Array(this.#x.memory.buffer)
    for (let first = 0; first < count; first += this.#chunk) {
      const c = Math.min(this.#chunk, count - first)
      // padding bytes past dim stay zero: they were never written
      if (this.#stride === this.dim) mem.set(vectors.subarray(first * this.dim, (first + c) * this.dim), this.#src)
      else for (let v = 0; v < c; v++) mem.set(vectors.subarray((first + v) * this.dim, (first + v + 1) * this.dim), this.#src + v * this.#stride)
      this.#x.project(this.#src, c, this.#stride, 0, this.planes, this.#out)
      out.set(new Int32Array(this.#x.memory.buffer, this.#out, c * this.planes), first * this.planes)
    }
    return out
  }
}
