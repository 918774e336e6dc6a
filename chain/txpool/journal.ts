// The pool's journal in the chain database: an acknowledged transaction is on disk before its
// hash is returned, and leaves in the batch of the block that includes it.
import { Bucket, key } from '../db/buckets.ts'
import type { Level } from '../db/level.ts'

export class PoolJournal {
  readonly #db: Level

  constructor(db: Level) {
    this.#db = db
  }

  async add(txs: Array<{ hash: Uint8Array; raw: Uint8Array }>): Promise<void> {
    await this.#db.batch(txs.map((t) => ({ type: 'put' as const, key: key(Bucket.poolTx, t.hash), value: t.raw })))
  }

  async remove(hashes: Uint8Array[]): Promise<void> {
    await this.#db.batch(hashes.map((h) => ({ type: 'del' as const, key: key(Bucket.poolTx, h) })))
  }

  async load(): Promise<Uint8Array[]> {
    const raws: Uint8Array[] = []
    const gte = Uint8Array.of(Bucket.poolTx)
    const lt = Uint8Array.of(Bucket.poolTx + 1)
    for await (const value of this.#db.values({ gte, lt })) raws.push(value)
    return raws
  }
}
