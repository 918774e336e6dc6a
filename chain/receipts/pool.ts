// The receipt pool: inference receipts a server submitted, checked by the rules settlement will
// apply (against the head state), acknowledged once on disk, and held until a block settles them.
//
//   submit ─► times, digest, duplicates ─► signers (worker threads) ─► server, adapter, model,
//   sketch, replay, escrow (less what pending receipts already reserve) ─► journal ─► accepted
//   block ─► its settlement outcomes remove what it settled or refused; reservations released
//
// Receipts are taken for settlement in the order they were accepted.
import { EventEmitter } from 'node:events'
import { RLP } from '@ethereumjs/rlp'
import { Address } from '@ethereumjs/util'
import type { AttributionEngine, ModelInfo, PrecompileSettings, SignatureService } from '../../precompiles/index.ts'
import * as A from '../../precompiles/adapters/records.ts'
import { scoringGas } from '../../precompiles/attribution/engine.ts'
import { Store } from '../../precompiles/framework/storage.ts'
import type { StorageAccess } from '../../precompiles/framework/storage.ts'
import { decodeReceiptFields, domainSeparator, encodeReceipt, receiptDigest } from '../../precompiles/receipts/format.ts'
import type { SignedReceipt } from '../../precompiles/receipts/format.ts'
import type { StoredOutcome } from '../../precompiles/receipts/outcome.ts'
import * as R from '../../precompiles/receipts/records.ts'
import { Reason, checkAdapter, checkServer, checkSketch, checkTimes } from '../../precompiles/receipts/rules.ts'
import * as S from '../../precompiles/servers/records.ts'
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

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** State reads at one head: a submission touches few servers, adapters and models. */
interface HeadTerms {
  root: Uint8Array
  stores: HeadStores
  servers: Map<string, S.ServerTerms>
  adapters: Map<bigint, A.AdapterTerms | undefined>
  models: Map<bigint, ModelInfo | undefined>
  escrow: Map<string, bigint>
}

interface HeadStores {
  servers: Store
  adapters: Store
  models: Store
  datanets: Store
  attribution: Store
  receipts: Store
}

function headStores(state: StorageAccess, settings: PrecompileSettings): HeadStores {
  const a = settings.addresses
  const at = (addr: Address) => new Store(state, addr, undefined, true)
  return { servers: at(a.servers), adapters: at(a.adapters), models: at(a.models), datanets: at(a.datanets), attribution: at(a.attribution), receipts: at(a.receipts) }
}

export interface ReceiptPoolEvents {
  added: [PendingReceipt[]]
}

export class ReceiptPool extends EventEmitter<ReceiptPoolEvents> {
  readonly #chain: Chain
  readonly #settings: PrecompileSettings
  readonly #engine: AttributionEngine
  readonly #signatures: SignatureService
  readonly #opts: ReceiptPoolOptions
  readonly #separator: Uint8Array
  readonly #pending = new Map<string, PendingReceipt>()
  /** signer ‖ requestId of every pending receipt */
  readonly #requests = new Set<string>()
  /** payer → fees of its pending receipts */
  readonly #reserved = new Map<string, bigint>()
  #terms: HeadTerms | undefined

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
    return { name: 'opal', version: '1', chainId: this.#chain.chainId, verifyingContract: this.#settings.addresses.receipts.bytes }
  }

  /** Checks each receipt as settlement would; accepted ones are on disk when this resolves. */
  async submit(receipts: SignedReceipt[], now = BigInt(Math.floor(Date.now() / 1000))): Promise<SubmitAnswer[]> {
    const answers: Array<SubmitAnswer | undefined> = new Array(receipts.length)
    const hashes = receipts.map((r) => receiptDigest(r, this.#separator, this.#chain.crypto.keccak256))
    const inBatch = new Set<string>()
    const toRecover: number[] = []
    receipts.forEach((r, i) => {
      const h = hex(hashes[i])
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
    const terms = await this.#headTerms()
    const accepted: PendingReceipt[] = []
    for (const [j, i] of toRecover.entries()) {
      const r = receipts[i]
      const signer = signers[j]
      if (this.#pending.size + accepted.length >= this.#opts.maxPending) {
        answers[i] = { reason: PoolReason.full }
        continue
      }
      const checked = signer === undefined ? Reason.badSignature : await this.#check(r, signer, terms)
      if (typeof checked === 'string') {
        answers[i] = { reason: checked }
        continue
      }
      const p: PendingReceipt = { hash: hashes[i], receipt: r, raw: RLP.encode(encodeReceipt(r) as never), signer: signer as Uint8Array, gas: checked }
      this.#add(p)
      accepted.push(p)
      answers[i] = { hash: hashes[i] }
    }
    if (accepted.length > 0) {
      await this.#chain.receiptJournal.add(accepted)
      this.emit('added', accepted)
    }
    return answers as SubmitAnswer[]
  }

  /** Pending receipts in acceptance order, as many as `maxGas` and `maxBytes` allow. */
  take(maxGas: bigint, maxBytes: number): PendingReceipt[] {
    const out: PendingReceipt[] = []
    let gas = 0n
    let bytes = 0
    for (const p of this.#pending.values()) {
      if (gas + p.gas > maxGas || bytes + p.raw.length > maxBytes) break
      gas += p.gas
      bytes += p.raw.length
      out.push(p)
    }
    return out
  }

  /** Receipts journaled before a restart come back as they were acknowledged; settlement decides. */
  async restore(): Promise<number> {
    const raws = await this.#chain.receiptJournal.load()
    const receipts: SignedReceipt[] = []
    for (const raw of raws) {
      try {
        receipts.push(decodeReceiptFields(RLP.decode(raw)))
      } catch {
        // a journal entry that does not decode was never acknowledged by this version: drop it
      }
    }
    const hashes = receipts.map((r) => receiptDigest(r, this.#separator, this.#chain.crypto.keccak256))
    const signers = await this.#signatures.recover(hashes, receipts.map((r) => r.signature))
    const terms = await this.#headTerms()
    for (const [i, r] of receipts.entries()) {
      if ((await this.#chain.store.receiptOutcome(hashes[i])) !== undefined) continue
      const model = await this.#model(terms, r.modelId)
      this.#add({ hash: hashes[i], receipt: r, raw: RLP.encode(encodeReceipt(r) as never), signer: signers[i] ?? new Uint8Array(20), gas: this.#gasOf(r, model) })
    }
    return this.#pending.size
  }

  /** pending, settled or refused (with the block, the split and the attribution), or null */
  async status(hash: Uint8Array): Promise<{ status: 'pending'; receipt: PendingReceipt } | { status: 'done'; outcome: StoredOutcome } | null> {
    const p = this.#pending.get(hex(hash))
    if (p !== undefined) return { status: 'pending', receipt: p }
    const outcome = await this.#chain.store.receiptOutcome(hash)
    if (outcome === undefined) return null
    // an outcome from a block that is no longer canonical (a development rewind) is forgotten
    const canonical = await this.#chain.store.hashByNumber(outcome.blockNumber)
    return canonical !== undefined && equal(canonical, outcome.blockHash) ? { status: 'done', outcome } : null
  }

  /** Every pending receipt (what a follower hands on to the sequencer again). */
  pending(): PendingReceipt[] {
    return [...this.#pending.values()]
  }

  /** Forgets receipts that can no longer settle (expired); returns how many. */
  dropExpired(now = BigInt(Math.floor(Date.now() / 1000))): number {
    const gone = [...this.#pending.values()].filter((p) => p.receipt.expiry < now)
    for (const p of gone) this.#remove(hex(p.hash))
    if (gone.length > 0) void this.#chain.receiptJournal.remove(gone.map((p) => p.hash))
    return gone.length
  }

  #add(p: PendingReceipt): void {
    const payer = hex(p.receipt.payer)
    this.#pending.set(hex(p.hash), p)
    this.#requests.add(hex(p.signer) + hex(p.receipt.requestId))
    this.#reserved.set(payer, (this.#reserved.get(payer) ?? 0n) + p.receipt.fee)
  }

  #remove(h: string): void {
    const p = this.#pending.get(h)
    if (p === undefined) return
    this.#pending.delete(h)
    this.#requests.delete(hex(p.signer) + hex(p.receipt.requestId))
    const payer = hex(p.receipt.payer)
    const left = (this.#reserved.get(payer) ?? 0n) - p.receipt.fee
    if (left > 0n) this.#reserved.set(payer, left)
    else this.#reserved.delete(payer)
  }

  #onBlock(e: ExecutedBlock): void {
    for (const o of e.artifacts?.settlements ?? []) this.#remove(hex(o.hash))
    this.#terms = undefined
  }

  /** The rules at the head; returns the receipt's expected settlement gas, or why it is refused. */
  async #check(r: SignedReceipt, signer: Uint8Array, t: HeadTerms): Promise<bigint | string> {
    const stores = t.stores
    const signerKey = hex(signer)
    let server = t.servers.get(signerKey)
    if (server === undefined) {
      server = await S.serverTerms(stores.servers, new Address(signer))
      t.servers.set(signerKey, server)
    }
    // a server that asked to leave submits nothing more (settlement still takes what it issued before)
    if (server.status === S.ServerStatus.Unbonding) return Reason.serverInactive
    const serverProblem = checkServer(server, r, this.#settings.servers.minStake)
    if (serverProblem !== undefined) return serverProblem
    if (!t.adapters.has(r.adapterId)) t.adapters.set(r.adapterId, (await A.adapterExists(stores.adapters, r.adapterId)) ? await A.adapterTerms(stores.adapters, r.adapterId) : undefined)
    const adapter = t.adapters.get(r.adapterId)
    // a new receipt must be for an adapter serving now, not only when the receipt says it was issued
    if (adapter !== undefined && !adapter.active) return Reason.adapterInactive
    const adapterProblem = checkAdapter(adapter, r)
    if (adapterProblem !== undefined) return adapterProblem
    const model = await this.#model(t, r.modelId)
    if (model === undefined) return Reason.unknownModel
    if (!model.defaultGraph) return Reason.graphUnavailable
    const sketchProblem = checkSketch(model.dim, r)
    if (sketchProblem !== undefined) return sketchProblem
    const request = signerKey + hex(r.requestId)
    if (this.#requests.has(request)) return PoolReason.pendingRequest
    if ((await R.settledIn(stores.receipts, signer, r.requestId)) !== 0n) return Reason.replayed
    const payer = hex(r.payer)
    let available = t.escrow.get(payer)
    if (available === undefined) {
      const e = await R.readEscrow(stores.receipts, r.payer)
      available = e.balance - e.pendingWithdrawal
      t.escrow.set(payer, available)
    }
    if (available - (this.#reserved.get(payer) ?? 0n) < r.fee) return Reason.insufficientEscrow
    const gas = this.#gasOf(r, model)
    if (gas > this.#opts.maxReceiptGas) return PoolReason.tooExpensive
    return gas
  }

  async #model(t: HeadTerms, id: bigint): Promise<ModelInfo | undefined> {
    if (!t.models.has(id)) t.models.set(id, await this.#engine.modelInfo(t.stores, id))
    return t.models.get(id)
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
    const scoring = scoringGas(gas, n, model.dim, this.#engine.modeOf(model, n))
    return calldata + own + scoring + gas.settleContribution * BigInt(Math.min(n, model.k + r.spans.length))
  }

  async #headTerms(): Promise<HeadTerms> {
    const head = this.#chain.head
    if (this.#terms === undefined || !equal(this.#terms.root, head.stateRoot)) {
      const state = (await this.#chain.readState(head)) as unknown as StorageAccess
      this.#terms = { root: head.stateRoot, stores: headStores(state, this.#settings), servers: new Map(), adapters: new Map(), models: new Map(), escrow: new Map() }
    }
    return this.#terms
  }
}
