// Validator attestations of state roots. An attestation counts toward a block only if it names our
// canonical block and our state root; when a quorum of distinct validators has attested a block,
// that block and every earlier one are "safe". Attestations and the safe head survive restarts.
import { RLP } from '@ethereumjs/rlp'
import type { Chain } from './chain.ts'
import { Bucket, MetaKey, key, metaKey } from './db/buckets.ts'
import type { Level } from './db/level.ts'
import { concat, equal, readU64, toHex, u64 } from './util/bytes.ts'

export interface Attestation {
  validator: Uint8Array
  blockNumber: bigint
  blockHash: Uint8Array
  stateRoot: Uint8Array
  signature: Uint8Array
}

export type AttestationOutcome = 'counted' | 'duplicate' | 'unknown-validator' | 'mismatch' | 'unknown-block'

export class AttestationBook {
  readonly #chain: Chain
  readonly #db: Level
  readonly #validators: Set<string>
  readonly #quorum: number
  /** block number → validators (hex) that attested our block */
  readonly #counts = new Map<bigint, Set<string>>()

  constructor(chain: Chain, db: Level, validators: string[], quorum: number) {
    this.#chain = chain
    this.#db = db
    this.#validators = new Set(validators.map((v) => v.toLowerCase()))
    this.#quorum = quorum
  }

  async load(): Promise<void> {
    const safe = await this.#db.get(metaKey(MetaKey.safe))
    if (safe !== undefined) this.#chain.setSafe(readU64(safe))
  }

  /** Records a signature-checked attestation; returns whether it counted. */
  async add(a: Attestation): Promise<AttestationOutcome> {
    const validator = toHex(a.validator)
    if (!this.#validators.has(validator)) return 'unknown-validator'
    const header = await this.#chain.header(a.blockNumber)
    if (header === undefined) return 'unknown-block'
    if (!equal(header.hash(), a.blockHash) || !equal(header.stateRoot, a.stateRoot)) return 'mismatch'
    const seen = this.#counts.get(a.blockNumber) ?? new Set<string>()
    if (seen.has(validator)) return 'duplicate'
    seen.add(validator)
    this.#counts.set(a.blockNumber, seen)
    const ops: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }> = [
      { type: 'put', key: key(Bucket.attestation, concat(u64(a.blockNumber), a.validator)), value: RLP.encode([a.blockHash, a.stateRoot, a.signature]) },
    ]
    if (seen.size >= this.#quorum && a.blockNumber > this.#chain.safeNumber) {
      this.#chain.setSafe(a.blockNumber)
      ops.push({ type: 'put', key: metaKey(MetaKey.safe), value: u64(a.blockNumber) })
      this.#prune(a.blockNumber)
    }
    await this.#db.batch(ops)
    return 'counted'
  }

  /** Every stored attestation of a block, for opal_getAttestations. */
  async of(blockNumber: bigint): Promise<Attestation[]> {
    const prefix = key(Bucket.attestation, u64(blockNumber))
    const end = key(Bucket.attestation, u64(blockNumber + 1n))
    const out: Attestation[] = []
    for await (const [k, v] of this.#db.iterator({ gte: prefix, lt: end })) {
      const [blockHash, stateRoot, signature] = RLP.decode(v) as Uint8Array[]
      out.push({ validator: k.subarray(9, 29), blockNumber, blockHash, stateRoot, signature })
    }
    return out
  }

  get quorum(): number {
    return this.#quorum
  }

  /** In-memory counts below the safe head are no longer needed. */
  #prune(safe: bigint): void {
    for (const n of this.#counts.keys()) if (n <= safe) this.#counts.delete(n)
  }
}
