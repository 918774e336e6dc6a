// Who signed each receipt: recovered in batches by the worker threads, and remembered, so a
// receipt checked when a server submitted it is not recovered again when its block is built.
// Keyed by digest and signature together: the same digest with another signature is another
// question.
import type { SignatureService } from '../../precompiles/index.ts'
import type { RecoverPool } from '../sigs/recoverPool.ts'
import { LRU } from '../util/lru.ts'

export class ReceiptSigners implements SignatureService {
  readonly #pool: RecoverPool
  readonly #known: LRU<string, Uint8Array | null>

  constructor(pool: RecoverPool, remember = 500_000) {
    this.#pool = pool
    this.#known = new LRU(remember)
  }

  async recover(digests: Uint8Array[], signatures: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    const keys = digests.map((d, i) => Buffer.from(d).toString('hex') + Buffer.from(signatures[i]).toString('hex'))
    const out: Array<Uint8Array | undefined> = new Array(digests.length)
    const missing: number[] = []
    keys.forEach((k, i) => {
      const hit = this.#known.get(k)
      if (hit === undefined) missing.push(i)
      else out[i] = hit ?? undefined
    })
    if (missing.length > 0) {
      const found = await this.#pool.recover(missing.map((i) => digests[i]), missing.map((i) => signatures[i]))
      missing.forEach((i, j) => {
        out[i] = found[j]
        this.#known.set(keys[i], found[j] ?? null)
      })
    }
    return out
  }
}
