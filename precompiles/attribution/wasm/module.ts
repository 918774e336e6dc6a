// The WebAssembly module of the attribution kernels, assembled from kernel.wat by wabt once per
// process (the text form is the reviewed source; no binary is checked in).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

export interface KernelExports {
  memory: WebAssembly.Memory
  top(rows: number, stride: number, query: number, order: number, ranges: number, nranges: number, k: number, heap: number): number
  gather(rows: number, ids: number, count: number, stride: number, query: number, out: number): void
  probe(rows: number, words: number, stride: number, query: number, members: number, ranges: number, nranges: number, seen: number, ids: number, scores: number): number
  project(src: number, count: number, stride: number, planes: number, nplanes: number, out: number): void
  best(ranks: number, n: number, blocks: number, keys: number): number
}

interface Wabt {
  parseWat(name: string, src: string, features: Record<string, boolean>): { toBinary(o: object): { buffer: Uint8Array } }
}

let compiled: Promise<WebAssembly.Module> | undefined

export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const wabt = await (createRequire(import.meta.url)('wabt') as () => Promise<Wabt>)()
    const source = readFileSync(new URL('./kernel.wat', import.meta.url), 'utf8')
    // SIMD only: relaxed-SIMD results may differ between engines
    const { buffer } = wabt.parseWat('kernel.wat', source, { simd: true }).toBinary({})
    return WebAssembly.compile(new Uint8Array(buffer))
  })()
  return compiled
}

/** A fresh instance whose memory holds at least `bytes`. */
export async function instantiate(bytes: number): Promise<KernelExports> {
  const x = (await WebAssembly.instantiate(await kernelModule(), {})).exports as unknown as KernelExports
  const pages = Math.ceil(bytes / 65_536) - x.memory.buffer.byteLength / 65_536
  if (pages > 0) x.memory.grow(pages)
  return x
}

export function align(n: number): number {
  return Math.ceil(n / 16) * 16
}

/** int8 → widened to the padded stride (the kernels read queries and planes as i16) */
export function strideOf(dim: number): number {
  return Math.ceil(dim / 16) * 16
}
