// Signature recovery off the main thread: batches of (hash, signature) go to a pool of worker
// threads, each recovering with native secp256k1 (~15k/s per core here, DESIGN.md), so the main
// thread keeps serving RPC and executing blocks while signatures are checked in parallel.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { RecoverRequest, RecoverResponse } from './protocol.ts'

export interface Recovered {
  /** 20-byte signer, or undefined for an invalid signature */
  signers: Array<Uint8Array | undefined>
}

interface Pending {
  resolve: (r: RecoverResponse) => void
  reject: (e: Error) => void
}

export class RecoverPool {
  readonly #workers: Worker[] = []
  readonly #pending = new Map<number, Pending>()
  readonly #load: number[] = []
  #nextId = 1
  #closed = false

  constructor(size = Math.max(1, availableParallelism())) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./worker.ts', import.meta.url))
      w.on('message', (res: RecoverResponse) => {
        const p = this.#pending.get(res.id)
        this.#pending.delete(res.id)
        // an idle worker must not keep the process alive
        if (--this.#load[i] === 0) w.unref()
        p?.resolve(res)
      })
      w.on('error', (err) => {
        for (const p of this.#pending.values()) p.reject(err)
        this.#pending.clear()
      })
      w.unref()
      this.#workers.push(w)
      this.#load.push(0)
    }
  }

  get size(): number {
    return this.#workers.length
  }

  /**
   * Recovers the signer of each (hash, signature); splits large batches across workers.
   * hashes: n × 32 bytes, signatures: n × 65 bytes.
   */
  async recover(hashes: Uint8Array[], signatures: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    const out: Array<Uint8Array | undefined> = []
    for (const res of await this.#run(hashes, signatures)) {
      for (let i = 0; i < res.ok.length; i++) out.push(res.ok[i] === 1 ? res.addresses.subarray(i * 20, i * 20 + 20) : undefined)
    }
    return out
  }

  /** Same, giving the 64-byte public keys (what transaction sender caches hold). */
  async recoverPublicKeys(hashes: Uint8Array[], signatures: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    const out: Array<Uint8Array | undefined> = []
    for (const res of await this.#run(hashes, signatures)) {
      for (let i = 0; i < res.ok.length; i++) out.push(res.ok[i] === 1 ? res.publicKeys.subarray(i * 64, i * 64 + 64) : undefined)
    }
    return out
  }

  async #run(hashes: Uint8Array[], signatures: Uint8Array[]): Promise<RecoverResponse[]> {
    if (this.#closed) throw new Error('signature pool is closed')
    const n = hashes.length
    if (n === 0) return []
    const parts = Math.min(this.#workers.length, Math.ceil(n / 64))
    const per = Math.ceil(n / parts)
    const jobs: Array<Promise<RecoverResponse>> = []
    for (let start = 0; start < n; start += per) {
      const end = Math.min(n, start + per)
      jobs.push(this.#send(hashes.slice(start, end), signatures.slice(start, end)))
    }
    return Promise.all(jobs)
  }

  #send(hashes: Uint8Array[], signatures: Uint8Array[]): Promise<RecoverResponse> {
    const count = hashes.length
    const h = new Uint8Array(count * 32)
    const s = new Uint8Array(count * 65)
    for (let i = 0; i < count; i++) {
      h.set(hashes[i], i * 32)
      s.set(signatures[i], i * 65)
    }
    const id = this.#nextId++
    // the least busy worker takes the job
    let w = 0
    for (let i = 1; i < this.#load.length; i++) if (this.#load[i] < this.#load[w]) w = i
    if (this.#load[w]++ === 0) this.#workers[w].ref()
    const req: RecoverRequest = { id, count, hashes: h, signatures: s }
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#workers[w].postMessage(req, [h.buffer, s.buffer])
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.all(this.#workers.map((w) => w.terminate()))
  }
}
