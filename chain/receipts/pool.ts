// The receipt pool: inference receipts a server submitted, checked by the rules settlement will
// apply (against the head state), acknowledged once on disk, and held until a block settles them.
//
//   submit ─► times, digest, duplicates ─► signers (worker threads) ─► server, adapter, model,
//   sketch, replay, escrow (less what pending receipts already reserve) ─► journal ─► accepted
//   block ─► its settlement outcomes remove what it settled or refused; reservations released
//
// Receipts are taken for settlement in the order they were accepted.
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { AttributionEngine, ModelInfo, PrecompileSettings, SignatureService } from '../../precompiles/index.ts'
import * as D from '../../precompiles/datanets/records.ts'
import { decodeRlp } from '../../precompiles/framework/rlp.ts'
import { Store } from '../../precompiles/framework/storage.ts'
import { RECEIPT_DOMAIN_NAME, RECEIPT_DOMAIN_VERSION, decodeReceiptBatchItems, decodeReceiptFields, domainSeparator, joinReceiptBatch, receiptDigest } from '../../precompiles/receipts/format.ts'
import type { EncodedReceipt, SignedReceipt } from '../../precompiles/receipts/format.ts'
import type { SettledReceipt } from '../../precompiles/receipts/outcome.ts'
import * as R from '../../precompiles/receipts/records.ts'
import { Reason, checkRecords, checkTimes } from '../../precompiles/receipts/rules.ts'
import { ReceiptTerms } from '../../precompiles/receipts/terms.ts'
import { registryStores } from '../../precompiles/stores.ts'
import type { Chain } from '../chain.ts'
import type { ExecutedBlock } from '../types.ts'
import { equal } from '../util/bytes.ts'

export interface ReceiptPoolOptions {
  /** most receipts waiting for settlement */
  maxPending: number
  /** a receipt must stay valid this many seconds after it is accepted (it must reach a block) */
  minValidity: bigint
  /** the most gas one receipt may need to settle: more could never fit in a block */
  maxReceiptGas: bigint
}

export const DEFAULT_RECEIPT_POOL_OPTIONS: ReceiptPoolOptions = { maxPending: 200_000, minValidity: 30n, maxReceiptGas: 5_000_000n }

export interface PendingReceipt {
  hash: Uint8Array
  receipt: SignedReceipt
  /** RLP of the receipt's fields, as it goes into a settlement batch */
  raw: Uint8Array
  signer: Uint8Array
  /** the slot of its replay record (made when it was checked, for its settlement to take) */
  replay: Uint8Array
  /** what settling it is expected to cost, calldata included */
  gas: bigint
}

export type SubmitAnswer = { hash: Uint8Array } | { reason: string }

export const PoolReason = {
  known: 'already known',
  pendingRequest: 'request already pending',
  expiresSoon: 'expires too soon to be settled',
  full: 'receipt pool is full',
  tooExpensive: 'attribution for this model needs more gas than a settlement can have',
} as const

/** What a submission reads at one head: the records (cached) and payers' escrow, less what is announced for withdrawal. */
interface HeadView {
  root: Uint8Array
  terms: ReceiptTerms
  escrow: Map<string, bigint>
}

/**
 * A submission's accepted receipts are journaled as one entry (their RLP list): one write when
 * they are acknowledged, one delete once the last of them has left the pool. One entry per
 * receipt cost a put and a delete each, ~10,000 LevelDB operations a busy block.
 */
interface JournalEntry {
  /** under Bucket.poolReceipt: acceptance time (ms) ‖ a counter ‖ random, so entries list in acceptance order */
  id: Uint8Array
  /** its receipts still pending */
  left: number
}

/** A pending receipt with the keys it is held under, made once when it is accepted. */
interface Held {
  pending: PendingReceipt
  /** the journal entry it was acknowledged in */
  entry: JournalEntry
  /** signer ‖ requestId */
  request: string
  payer: string
}

/**
 * Map key of bytes: a latin1 character a byte. Half the length of hex with no prefix to join, and
 * admission makes several a receipt (its hash, request and payer).
 */
function keyOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
}

/** A receipt the node knows: waiting in the pool, or settled / refused in a block. */
export type ReceiptStatus =
  | { status: 'pending'; receipt: SignedReceipt; signer: Uint8Array }
  | { status: 'done'; outcome: SettledReceipt }

export interface ReceiptPoolEvents {
  added: [PendingReceipt[]]
  /** a journal entry could not be deleted: harmless (the next restart deletes it), but worth a log line */
  journalError: [Error]
}

export class ReceiptPool extends EventEmitter<ReceiptPoolEvents> {
  readonly #chain: Chain
  readonly #settings: PrecompileSettings
  readonly #engine: AttributionEngine
  readonly #signatures: SignatureService
  readonly #opts: ReceiptPoolOptions
  readonly #separator: Uint8Array
  /** by keyOf(hash), in acceptance order */
  readonly #pending = new Map<string, Held>()
  /** signer ‖ requestId of every pending receipt */
  readonly #requests = new Set<string>()
  /** payer → fees of its pending receipts */
  readonly #reserved = new Map<string, bigint>()
  #head: HeadView | undefined
  /** journal entries made by this process */
  #entries = 0

  constructor(chain: Chain, settings: PrecompileSettings, engine: AttributionEngine, signatures: SignatureService, opts: Partial<ReceiptPoolOptions> = {}) {
    super()
    this.#chain = chain
    this.#settings = settings
    this.#engine = engine
    this.#signatures = signatures
    this.#opts = { ...DEFAULT_RECEIPT_POOL_OPTIONS, ...opts }
    this.#separator = domainSeparator(chain.chainId, settings.addresses.receipts.bytes, chain.crypto.keccak256)
    chain.on('block', (e) => this.#onBlock(e))
  }

  get size(): number {
    return this.#pending.size
  }

  /** The EIP-712 domain receipts are signed under. */
  domain(): { name: string; version: string; chainId: bigint; verifyingContract: Uint8Array } {
    return { name: RECEIPT_DOMAIN_NAME, version: RECEIPT_DOMAIN_VERSION, chainId: this.#chain.chainId, verifyingContract: this.#settings.addresses.receipts.bytes }
  }

  /** Checks each receipt as settlement would; accepted ones are on disk when this resolves. */
  async submit(items: EncodedReceipt[], now = BigInt(Math.floor(Date.now() / 1000))): Promise<SubmitAnswer[]> {
    const receipts = items.map((e) => e.receipt)
    const answers: Array<SubmitAnswer | undefined> = new Array(receipts.length)
    const hashes = receipts.map((r) => receiptDigest(r, this.#separator, this.#chain.crypto.keccak256))
    const inBatch = new Set<string>()
    const toRecover: number[] = []
    receipts.forEach((r, i) => {
      const h = keyOf(hashes[i])
      const timing = checkTimes(r, this.#chain.chainId, now, this.#settings.receipts)
      if (timing !== undefined) answers[i] = { reason: timing }
      else if (r.expiry < now + this.#opts.minValidity) answers[i] = { reason: PoolReason.expiresSoon }
      else if (this.#pending.has(h) || inBatch.has(h)) answers[i] = { reason: PoolReason.known }
      else {
        inBatch.add(h)
        toRecover.push(i)
      }
    })
    const signers = await this.#signatures.recover(toRecover.map((i) => hashes[i]), toRecover.map((i) => receipts[i].signature))
    const head = await this.#headView()
    const accepted: PendingReceipt[] = []
    const entry: JournalEntry = { id: this.#entryId(), left: 0 }
    for (const [j, i] of toRecover.entries()) {
      const r = receipts[i]
      const signer = signers[j]
      // accepted receipts are in the pool already
      if (this.#pending.size >= this.#opts.maxPending) {
        answers[i] = { reason: PoolReason.full }
        continue
      }
      const checked = signer === undefined ? Reason.badSignature : await this.#check(r, signer, head)
      if (typeof checked === 'string') {
        answers[i] = { reason: checked }
        continue
      }
      const p: PendingReceipt = { hash: hashes[i], receipt: r, raw: items[i].raw, signer: signer as Uint8Array, replay: checked.replay, gas: checked.gas }
      this.#add(p, entry, checked.request, checked.payer)
      accepted.push(p)
      answers[i] = { hash: hashes[i] }
    }
    if (accepted.length > 0) {
      await this.#chain.receiptJournal.add([{ hash: entry.id, raw: joinReceiptBatch(accepted.map((p) => p.raw)) }])
      this.emit('added', accepted)
    }
    return answers as SubmitAnswer[]
  }

  /** Pending receipts in acceptance order, as many as `maxGas` and `maxBytes` allow. */
  take(maxGas: bigint, maxBytes: number): PendingReceipt[] {
    const out: PendingReceipt[] = []
    let gas = 0n
    let bytes = 0
    for (const { pending: p } of this.#pending.values()) {
      if (gas + p.gas > maxGas || bytes + p.raw.length > maxBytes) break
      gas += p.gas
      bytes += p.raw.length
      out.push(p)
    }
    return out
  }

  /**
   * Receipts journaled before a restart come back as they were acknowledged; settlement decides.
   * An entry whose receipts all left the pool before it was deleted (the process stopped first) is
   * deleted now.
   */
  async restore(): Promise<number> {
    const done: Uint8Array[] = []
    const head = await this.#headView()
    for (const { id, value } of await this.#chain.receiptJournal.entries()) {
      const items = journaledReceipts(value)
      const hashes = items.map((e) => receiptDigest(e.receipt, this.#separator, this.#chain.crypto.keccak256))
      const signers = await this.#signatures.recover(hashes, items.map((e) => e.receipt.signature))
      const entry: JournalEntry = { id, left: 0 }
      for (const [i, { receipt: r, raw }] of items.entries()) {
        const signer = signers[i]
        // admission accepts only a signature that recovers: one that does not was never acknowledged
        if (signer === undefined || this.#pending.has(keyOf(hashes[i])) || (await this.#chain.store.receiptOutcome(hashes[i])) !== undefined) continue
        const model = await head.terms.model(r.modelId)
        this.#add({ hash: hashes[i], receipt: r, raw, signer, replay: R.replaySlot(signer, r.requestId), gas: this.#gasOf(r, model) }, entry)
      }
      if (entry.left === 0) done.push(id)
    }
    if (done.length > 0) await this.#chain.receiptJournal.remove(done)
    return this.#pending.size
  }

  /** pending, settled or refused (with the block, the split and the attribution), or null */
  async status(hash: Uint8Array): Promise<ReceiptStatus | null> {
    const p = this.#pending.get(keyOf(hash))?.pending
    if (p !== undefined) return { status: 'pending', receipt: p.receipt, signer: p.signer }
    const outcome = await this.#chain.store.receiptOutcome(hash)
    if (outcome === undefined) return null
    // an outcome from a block that is no longer canonical (a development rewind) is forgotten
    const canonical = await this.#chain.store.hashByNumber(outcome.blockNumber)
    if (canonical === undefined || !equal(canonical, outcome.blockHash)) return null
    // what a share's contribution is never changes: the head's registry completes it
    const datanets = (await this.#headView()).terms.stores.datanets
    const spanWeight = this.#settings.attribution.spanWeight
    const attribution = await Promise.all(outcome.attribution.map(async (s) => {
      const c = await D.contributionState(datanets, s.contributionId)
      return { ...s, datanetId: c.datanetId, contributor: c.contributor.bytes, weight: s.score + spanWeight * s.matchedTokens }
    }))
    return { status: 'done', outcome: { ...outcome, attribution } }
  }

  /** Every pending receipt (what a follower hands on to the sequencer again). */
  pending(): PendingReceipt[] {
    return Array.from(this.#pending.values(), (h) => h.pending)
  }

  /** Forgets receipts that can no longer settle (expired); returns how many. */
  dropExpired(now = BigInt(Math.floor(Date.now() / 1000))): number {
    const gone = this.pending().filter((p) => p.receipt.expiry < now)
    this.#removeAll(gone.map((p) => keyOf(p.hash)))
    return gone.length
  }

  #add(p: PendingReceipt, entry: JournalEntry, request = keyOf(p.signer) + keyOf(p.receipt.requestId), payer = keyOf(p.receipt.payer)): void {
    entry.left++
    this.#pending.set(keyOf(p.hash), { pending: p, entry, request, payer })
    this.#requests.add(request)
    this.#reserved.set(payer, (this.#reserved.get(payer) ?? 0n) + p.receipt.fee)
  }

  /**
   * Receipts leave the pool (settled, refused or expired); journal entries none of whose receipts
   * are left are deleted. The journal writes in order, so a delete never overtakes the entry's write.
   */
  #removeAll(keys: string[]): void {
    const done: Uint8Array[] = []
    for (const key of keys) {
      const entry = this.#remove(key)
      if (entry !== undefined && entry.left === 0) done.push(entry.id)
    }
    if (done.length > 0) {
      this.#chain.receiptJournal.remove(done).catch((err: Error) => this.emit('journalError', err))
    }
  }

  /** Forgets one receipt; returns its journal entry. */
  #remove(key: string): JournalEntry | undefined {
    const h = this.#pending.get(key)
    if (h === undefined) return undefined
    this.#pending.delete(key)
    h.entry.left--
    this.#requests.delete(h.request)
    const left = (this.#reserved.get(h.payer) ?? 0n) - h.pending.receipt.fee
    if (left > 0n) this.#reserved.set(h.payer, left)
    else this.#reserved.delete(h.payer)
    return h.entry
  }

  #entryId(): Uint8Array {
    const id = new Uint8Array(32)
    const view = new DataView(id.buffer)
    view.setBigUint64(0, BigInt(Date.now()))
    view.setUint32(8, ++this.#entries)
    id.set(randomBytes(20), 12)
    return id
  }

  #onBlock(e: ExecutedBlock): void {
    this.#removeAll((e.artifacts?.settlements ?? []).map((o) => keyOf(o.hash)))
  }

  /** The rules at the head; returns the receipt's expected settlement gas and its keys, or why it is refused. */
  async #check(r: SignedReceipt, signer: Uint8Array, head: HeadView): Promise<{ gas: bigint; replay: Uint8Array; request: string; payer: string } | string> {
    const records = await checkRecords(r, signer, head.terms, this.#settings.servers.minStake, true)
    if (typeof records === 'string') return records
    const request = keyOf(signer) + keyOf(r.requestId)
    if (this.#requests.has(request)) return PoolReason.pendingRequest
    const receipts = head.terms.stores.receipts
    const replay = R.replaySlot(signer, r.requestId)
    if ((await R.settledAt(receipts, replay)) !== 0n) return Reason.replayed
    const payer = keyOf(r.payer)
    let available = head.escrow.get(payer)
    if (available === undefined) {
      const e = await R.readEscrow(receipts, r.payer)
      available = e.balance - e.pendingWithdrawal
      head.escrow.set(payer, available)
    }
    if (available - (this.#reserved.get(payer) ?? 0n) < r.fee) return Reason.insufficientEscrow
    const gas = this.#gasOf(r, records.model)
    if (gas > this.#opts.maxReceiptGas) return PoolReason.tooExpensive
    return { gas, replay, request, payer }
  }

  /**
   * Expected settlement gas: calldata, the receipt's own charges, scoring, and the contributions
   * it pays (counted as if none were shared with other receipts of the batch).
   */
  #gasOf(r: SignedReceipt, model: ModelInfo | undefined): bigint {
    const calldata = 16n * BigInt(r.sketch.length + 300 + 40 * r.spans.length)
    const gas = this.#settings.gas
    const own = gas.settleReceipt + gas.settleSpan * BigInt(r.spans.length)
    if (model === undefined) return calldata + own
    const n = this.#engine.candidateCount(model)
    const scoring = this.#engine.scoringGasOf(gas, model, n, this.#engine.modeOf(model, n))
    return calldata + own + scoring + gas.settleContribution * BigInt(Math.min(n, model.k + r.spans.length))
  }

  async #headView(): Promise<HeadView> {
    const head = this.#chain.head
    if (this.#head === undefined || !equal(this.#head.root, head.stateRoot)) {
      const state = await this.#chain.readState(head)
      const stores = registryStores(new Store(state, this.#settings.addresses.receipts, undefined, true), this.#settings)
      this.#head = { root: head.stateRoot, terms: new ReceiptTerms(stores, this.#engine), escrow: new Map() }
    }
    return this.#head
  }
}

/**
 * The receipts of a journal entry: an RLP list of receipts, or (written by earlier versions) one
 * receipt. Each was acknowledged as it decodes here (strict decoding: the bytes are the receipt's
 * one encoding); an entry that does not decode was never acknowledged by this version.
 */
function journaledReceipts(stored: Uint8Array): EncodedReceipt[] {
  // a plain view, not the database's Buffer: raws are compared and re-sent as the bytes they are
  const value = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength)
  try {
    return decodeReceiptBatchItems(value)
  } catch {
    try {
      return [{ receipt: decodeReceiptFields(decodeRlp(value)), raw: value }]
    } catch {
      return []
    }
  }
}
