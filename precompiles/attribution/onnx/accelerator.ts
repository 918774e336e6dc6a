// onnxruntime as the accelerator of attribution. It is used only after a start-up self-test has
// shown it gives exactly the reference's results on extreme and random vectors on this machine
// (a CPU without VNNI once gave different integers for the same graph); otherwise the WebAssembly
// kernel does the work. The chosen kernel and the reason are reported.
import { createRequire } from 'node:module'
import { scoreReference } from '../reference.ts'
import type { Scored } from '../topk.ts'
import { decodeTop, defaultGraphTemplate, instantiate } from './graph.ts'
import { validateScoringGraph } from './validate.ts'

interface Ort {
  InferenceSession: { create(model: Uint8Array, opts: Record<string, unknown>): Promise<Session> }
  Tensor: new (type: string, data: Uint8Array, dims: number[]) => unknown
}

interface Session {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: Int32Array | BigInt64Array; dims: number[] }>>
  release(): Promise<void>
}

export interface OnnxOptions {
  intraOpNumThreads: number
}

function loadOrt(): Ort | undefined {
  try {
    return createRequire(import.meta.url)('onnxruntime-node') as Ort
  } catch {
    return undefined
  }
}

/** One candidate set compiled into an onnxruntime session (the matrix prepacked). */
export class OnnxScorer {
  readonly #ort: Ort
  readonly #session: Session
  readonly #dim: number
  readonly #k: number

  private constructor(ort: Ort, session: Session, dim: number, k: number) {
    this.#ort = ort
    this.#session = session
    this.#dim = dim
    this.#k = k
  }

  static async create(sketches: Int8Array, dim: number, k: number, opts: OnnxOptions, template = defaultGraphTemplate()): Promise<OnnxScorer> {
    const ort = loadOrt()
    if (ort === undefined) throw new Error('onnxruntime-node is not available')
    // only an admitted graph runs: whatever the caller hands in must be integer-exact
    validateScoringGraph(template)
    const n = sketches.length / dim
    const session = await ort.InferenceSession.create(instantiate(template, sketches, dim, k), {
      intraOpNumThreads: opts.intraOpNumThreads,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
    })
    return new OnnxScorer(ort, session, dim, Math.min(k, n))
  }

  /** queries: B × dim int8; null where the k-th place is tied (score that query with the reference) */
  async scoreBatch(queries: Int8Array): Promise<Array<Scored[] | null>> {
    const batch = queries.length / this.#dim
    const shifted = new Uint8Array(queries.length)
    for (let i = 0; i < queries.length; i++) shifted[i] = queries[i] + 128
    const out = await this.#session.run({ query: new this.#ort.Tensor('uint8', shifted, [batch, this.#dim]) })
    const width = out.scores.dims[1]
    return decodeTop(out.scores.data as Int32Array, out.indices.data as BigInt64Array, batch, width, this.#k)
  }

  async release(): Promise<void> {
    await this.#session.release()
  }
}

export interface KernelChoice {
  kernel: 'onnx' | 'wasm'
  reason: string
}

/** Runs the graph against the reference on vectors chosen to expose a non-exact kernel. */
export async function selfTest(opts: OnnxOptions): Promise<KernelChoice> {
  if (loadOrt() === undefined) return { kernel: 'wasm', reason: 'onnxruntime-node does not load here' }
  const dim = 256
  const vectors: Int8Array[] = [
    new Int8Array(dim).fill(127),
    new Int8Array(dim).fill(-128),
    Int8Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? 127 : -128)),
    Int8Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? -128 : 127)),
  ]
  let seed = 0x5eed
  for (let r = 0; r < 60; r++) vectors.push(Int8Array.from({ length: dim }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 255))
  const rows = new Int8Array(vectors.length * dim)
  vectors.forEach((v, i) => rows.set(v, i * dim))
  try {
    const scorer = await OnnxScorer.create(rows, dim, 16, opts)
    const got = await scorer.scoreBatch(rows)
    await scorer.release()
    for (let q = 0; q < vectors.length; q++) {
      const want = scoreReference(rows, dim, vectors[q], 16)
      // a tied 16th place is reported as undetermined: the caller falls back, which is exact too
      if (got[q] !== null && JSON.stringify(want) !== JSON.stringify(got[q])) {
        return { kernel: 'wasm', reason: `onnxruntime differs from the reference on self-test vector ${q}` }
      }
    }
  } catch (err) {
    return { kernel: 'wasm', reason: `onnxruntime failed the self-test: ${(err as Error).message}` }
  }
  return { kernel: 'onnx', reason: 'onnxruntime matched the reference exactly on extreme and random vectors' }
}
