// The pool's journal in the chain database: an acknowledged transaction is on disk before its
// hash is returned, and leaves in the batch of the block that includes it. Concurrent additions
// are written together (one LevelDB batch per event-loop turn), so a JSON-RPC batch of a
// thousand transactions costs one write, not a thousand.
import { Bucket, key } from '../db/buckets.ts'
import type { Level } from '../db/level.ts'

type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }

export class PoolJournal {
  readonly #db: Level
  #queued: Op[] = []
  #flush: Promise<void> | undefined

  constructor(db: Level) {
    this.#db = db
  }

  add(txs: Array<{ hash: Uint8Array; raw: Uint8Array }>): Promise<void> {
    for (const t of txs) this.#queued.push({ type: 'put', key: key(Bucket.poolTx, t.hash), value: t.raw })
    return this.#schedule()
  }

  remove(hashes: Uint8Array[]): Promise<void> {
    for (const h of hashes) this.#queued.push({ type: 'del', key: key(Bucket.poolTx, h) })
    return this.#schedule()
  }

  #schedule(): Promise<void> {
    this.#flush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const ops = this.#queued
        this.#queued = []
        this.#flush = undefined
        this.#db.batch(ops).then(resolve, reject)
      })
    })
    return this.#flush
  }

  /** Resolves when every queued write is on disk (before the database closes). */
  async settle(): Promise<void> {
    while (this.#flush !== undefined) await this.#flush
  }

  async load(): Promise<Uint8Array[]> {
    const raws: Uint8Array[] = []
    const gte = Uint8Array.of(Bucket.poolTx)
    const lt = Uint8Array.of(Bucket.poolTx + 1)
    for await (const value of this.#db.values({ gte, lt })) raws.push(value)
    return raws
  }
}
