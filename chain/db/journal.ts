// A pool's journal in the chain database: what a pool acknowledged (transactions, receipts) is
// on disk (synced) before the acknowledgement is sent, and leaves once a block has included it (a
// transaction in the block's own batch; a submission's receipts when the last of them has left the
// receipt pool). Writes and deletes are applied in the order they are made. Concurrent additions
// are written together (one LevelDB batch per event-loop turn), so a JSON-RPC batch of a thousand
// entries costs one write, not a thousand.
import { key } from './buckets.ts'
import type { Bucket } from './buckets.ts'
import type { Level } from './level.ts'

type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }

export class Journal {
  readonly #db: Level
  readonly #bucket: Bucket
  #queued: Op[] = []
  #flush: Promise<void> | undefined

  constructor(db: Level, bucket: Bucket) {
    this.#db = db
    this.#bucket = bucket
  }

  add(entries: Array<{ hash: Uint8Array; raw: Uint8Array }>): Promise<void> {
    for (const e of entries) this.#queued.push({ type: 'put', key: key(this.#bucket, e.hash), value: e.raw })
    return this.#schedule()
  }

  remove(hashes: Uint8Array[]): Promise<void> {
    for (const h of hashes) this.#queued.push({ type: 'del', key: key(this.#bucket, h) })
    return this.#schedule()
  }

  #schedule(): Promise<void> {
    this.#flush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const ops = this.#queued
        this.#queued = []
        this.#flush = undefined
        // synced: an acknowledgement must survive the machine losing power, not only the process
        this.#db.batch(ops, { sync: true }).then(resolve, reject)
      })
    })
    return this.#flush
  }

  /** Resolves when every queued write is on disk (before the database closes). */
  async settle(): Promise<void> {
    while (this.#flush !== undefined) await this.#flush
  }

  /** Every entry, in key order, with the id it was added under. */
  async entries(): Promise<Array<{ id: Uint8Array; value: Uint8Array }>> {
    const out: Array<{ id: Uint8Array; value: Uint8Array }> = []
    for await (const [k, value] of this.#db.iterator({ gte: Uint8Array.of(this.#bucket), lt: Uint8Array.of(this.#bucket + 1) })) out.push({ id: k.subarray(1), value })
    return out
  }

  async load(): Promise<Uint8Array[]> {
    const raws: Uint8Array[] = []
    for await (const value of this.#db.values({ gte: Uint8Array.of(this.#bucket), lt: Uint8Array.of(this.#bucket + 1) })) raws.push(value)
    return raws
  }
}
