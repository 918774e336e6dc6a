// The receipt pool's journal in the chain database: an acknowledged receipt is on disk before its
// hash is returned, and leaves in the batch of the block that settles (or refuses) it. Receipts
// arriving together are written together, one LevelDB batch per event-loop turn.
import { Bucket, key } from '../db/buckets.ts'
import type { Level } from '../db/level.ts'

export class ReceiptJournal {
  readonly #db: Level
  #queued: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }> = []
  #flush: Promise<void> | undefined

  constructor(db: Level) {
    this.#db = db
  }

  add(receipts: Array<{ hash: Uint8Array; raw: Uint8Array }>): Promise<void> {
    for (const r of receipts) this.#queued.push({ type: 'put', key: key(Bucket.poolReceipt, r.hash), value: r.raw })
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

  async remove(hashes: Uint8Array[]): Promise<void> {
    await this.#db.batch(hashes.map((h) => ({ type: 'del' as const, key: key(Bucket.poolReceipt, h) })))
  }

  async settle(): Promise<void> {
    while (this.#flush !== undefined) await this.#flush
  }

  async load(): Promise<Uint8Array[]> {
    const raws: Uint8Array[] = []
    for await (const value of this.#db.values({ gte: Uint8Array.of(Bucket.poolReceipt), lt: Uint8Array.of(Bucket.poolReceipt + 1) })) raws.push(value)
    return raws
  }
}
