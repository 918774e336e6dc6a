// Scoring off the main thread. A worker holds a copy of each candidate set scored in the indexed
// mode (its IVF and the rows in cluster order) and scores batches of receipts' sketches there, so
// the thread that serves RPC and executes blocks does not spend ≈ 22 µs a receipt in the scan
// (100,000 candidates). The worker runs the code the main thread would (clustered.ts) on the same
// arrays, so the answers are the same; if it fails, sets are scored on the main thread again.
import { Worker } from 'node:worker_threads'
import type { IvfParts } from './ivf.ts'
import type { Scored } from './topk.ts'

export type ScoringRequest =
  | { type: 'attach'; id: number; set: number; dim: number; k: number; reordered: Int8Array; index: IvfParts }
  | { type: 'score'; id: number; set: number; queries: Int8Array }
  | { type: 'detach'; set: number }

/** A batch's answers: per query its count of (index, score) pairs, the pairs one after another. */
export type ScoringResponse = { id: number; counts: Int32Array; pairs: Int32Array } | { id: number; error: string }

interface Waiting {
  resolve: (r: { counts: Int32Array; pairs: Int32Array }) => void
  reject: (e: Error) => void
}

export class ScoringThread {
  readonly #worker: Worker
  readonly #waiting = new Map<number, Waiting>()
  #next = 1
  #failure: Error | undefined

  constructor() {
    this.#worker = new Worker(new URL('./scoringWorker.ts', import.meta.url))
    this.#worker.on('message', (res: ScoringResponse) => {
      const w = this.#waiting.get(res.id)
      this.#waiting.delete(res.id)
      // an idle thread must not keep the process alive
      if (this.#waiting.size === 0) this.#worker.unref()
      if ('error' in res) w?.reject(new Error(res.error))
      else w?.resolve(res)
    })
    this.#worker.on('error', (err) => this.#fail(err))
    this.#worker.on('exit', (code) => this.#fail(new Error(`the scoring thread exited (code ${code})`)))
    this.#worker.unref()
  }

  /** why the thread stopped, if it did */
  get failure(): Error | undefined {
    return this.#failure
  }

  /**
   * Gives the thread a set to hold: its IVF and its rows in cluster order (transferred: the caller
   * gives them up). Resolves with the set's number once the thread holds it.
   */
  async attach(dim: number, k: number, reordered: Int8Array, index: IvfParts): Promise<number> {
    const set = this.#next++
    await this.#request({ type: 'attach', id: set, set, dim, k, reordered, index }, [reordered.buffer as ArrayBuffer])
    return set
  }

  /** The top k of each query (B × dim) against a set the thread holds, in the consensus order. */
  async score(set: number, queries: Int8Array, dim: number): Promise<Scored[][]> {
    const copy = queries.slice()
    const { counts, pairs } = await this.#request({ type: 'score', id: this.#next++, set, queries: copy }, [copy.buffer])
    if (counts.length !== queries.length / dim) throw new Error('the scoring thread answered for another batch')
    const out = new Array<Scored[]>(counts.length)
    let p = 0
    for (let b = 0; b < counts.length; b++) {
      const top = new Array<Scored>(counts[b])
      for (let j = 0; j < counts[b]; j++, p += 2) top[j] = { index: pairs[p], score: pairs[p + 1] }
      out[b] = top
    }
    return out
  }

  detach(set: number): void {
    if (this.#failure === undefined) this.#worker.postMessage({ type: 'detach', set } satisfies ScoringRequest)
  }

  async close(): Promise<void> {
    this.#fail(new Error('the scoring thread is closed'))
    await this.#worker.terminate()
  }

  #request(req: ScoringRequest & { id: number }, transfer: ArrayBuffer[]): Promise<{ counts: Int32Array; pairs: Int32Array }> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    return new Promise((resolve, reject) => {
      this.#waiting.set(req.id, { resolve, reject })
      this.#worker.ref()
      this.#worker.postMessage(req, transfer)
    })
  }

  #fail(err: Error): void {
    this.#failure ??= err
    for (const w of this.#waiting.values()) w.reject(err)
    this.#waiting.clear()
  }
}
