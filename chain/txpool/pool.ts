// The transaction pool: transactions by sender and nonce, pending (executable in nonce order from
// the sender's state nonce) or queued (behind a nonce gap, or paying less than the base fee).
//
//   raw bytes ─► decode (stateless checks) ─► sender state ─► nonce / funds / replacement checks
//       ─► stored by (sender, nonce) ─► journaled ─► 'added'
//   new block ─► sender states re-read ─► mined and stale nonces dropped, gaps re-evaluated
//   producer ─► best(baseFee): executable transactions, highest tip first, nonce order per sender
import { EventEmitter } from 'node:events'
import type { Common } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { decodeRawTx } from './decode.ts'
import { MIN_WORKER_BATCH, recoverSenders, signatureProblem } from './senders.ts'
import type { SenderRecovery } from './senders.ts'
import { TxPoolError, TxRejection } from './errors.ts'
import { DEFAULT_TXPOOL_OPTIONS } from './options.ts'
import type { TxPoolOptions } from './options.ts'
import { effectiveTip, toPoolTx } from './poolTx.ts'
import type { PoolTx } from './poolTx.ts'
import { toHex } from '../util/bytes.ts'

export interface AccountState {
  nonce: bigint
  balance: bigint
}

/** Where the pool reads sender state (at the head) and keeps its journal. */
export interface TxPoolBackend {
  readAccount(address: Uint8Array): Promise<AccountState>
  blockGasLimit(): bigint
  nextBaseFee(): bigint
  journalAdd(txs: PoolTx[]): Promise<void>
  journalRemove(hashes: Uint8Array[]): Promise<void>
}

interface SenderEntry {
  address: Uint8Array
  state: AccountState
  txs: Map<bigint, PoolTx>
}

export interface TxPoolEvents {
  added: [PoolTx[]]
}

export class TxPool extends EventEmitter<TxPoolEvents> {
  readonly #common: Common
  readonly #backend: TxPoolBackend
  readonly #opts: TxPoolOptions
  readonly #senders = new Map<string, SenderEntry>()
  readonly #loading = new Map<string, Promise<SenderEntry>>()
  readonly #byHash = new Map<string, PoolTx>()
  readonly #recovery: SenderRecovery | undefined

  constructor(common: Common, backend: TxPoolBackend, opts: Partial<TxPoolOptions> = {}, recovery?: SenderRecovery) {
    super()
    this.#common = common
    this.#backend = backend
    this.#opts = { ...DEFAULT_TXPOOL_OPTIONS, ...opts }
    this.#recovery = recovery
  }

  get size(): number {
    return this.#byHash.size
  }

  /** Validates and adds raw transactions; resolves per transaction to its hash or the rejection. */
  async addRaw(raws: Uint8Array[]): Promise<Array<Uint8Array | TxPoolError>> {
    const decoded = raws.map((raw) => {
      try {
        const tx = decodeRawTx(raw, this.#common)
        const problem = signatureProblem(tx)
        if (problem !== undefined) throw new TxPoolError(TxRejection.InvalidSender, `invalid sender: ${problem}`)
        return tx
      } catch (err) {
        if (!(err instanceof TxPoolError)) throw err
        return err
      }
    })
    await this.#recoverSenders(decoded)
    const results: Array<Uint8Array | TxPoolError> = []
    const accepted: PoolTx[] = []
    for (let i = 0; i < raws.length; i++) {
      const d = decoded[i]
      if (d instanceof TxPoolError) {
        results.push(d)
        continue
      }
      try {
        const ptx = await this.#admit(d, raws[i])
        accepted.push(ptx)
        results.push(ptx.hash)
      } catch (err) {
        if (!(err instanceof TxPoolError)) throw err
        results.push(err)
      }
    }
    if (accepted.length > 0) {
      // acknowledged only once journaled: a crash after this keeps them
      await this.#backend.journalAdd(accepted)
      this.emit('added', accepted)
    }
    return results
  }

  /** Recovers senders of the decoded transactions in the worker pool, where there is one. */
  async #recoverSenders(decoded: Array<TypedTransaction | TxPoolError>): Promise<void> {
    const txs = decoded.filter((d): d is TypedTransaction => !(d instanceof TxPoolError))
    if (this.#recovery === undefined || txs.length < MIN_WORKER_BATCH) return
    const ok = await recoverSenders(txs, this.#recovery)
    let k = 0
    for (let i = 0; i < decoded.length; i++) {
      if (decoded[i] instanceof TxPoolError) continue
      if (!ok[k++]) decoded[i] = new TxPoolError(TxRejection.InvalidSender, 'invalid sender: signature does not recover to an address')
    }
  }

  async #admit(tx: TypedTransaction, raw: Uint8Array): Promise<PoolTx> {
    let sender: Uint8Array
    try {
      sender = tx.getSenderAddress().bytes
    } catch {
      throw new TxPoolError(TxRejection.InvalidSender, 'invalid sender: signature does not recover to an address')
    }
    const ptx = toPoolTx(tx, raw, sender)
    this.#checkStateless(ptx)
    const entry = await this.#sender(sender)
    // from here on synchronous: no other pool operation interleaves
    this.#checkAgainstState(ptx, entry)
    const previous = entry.txs.get(ptx.nonce)
    if (previous !== undefined) this.#checkReplacement(previous, ptx)
    else this.#makeRoom(ptx, entry)
    if (previous !== undefined) this.#byHash.delete(previous.hashHex)
    entry.txs.set(ptx.nonce, ptx)
    this.#byHash.set(ptx.hashHex, ptx)
    return ptx
  }

  #checkStateless(p: PoolTx): void {
    if (this.#byHash.has(p.hashHex)) throw new TxPoolError(TxRejection.AlreadyKnown, 'already known')
    if (p.maxPriorityFeePerGas > p.maxFeePerGas) {
      throw new TxPoolError(TxRejection.TipAboveFeeCap, `max priority fee per gas higher than max fee per gas: address ${p.senderHex}, maxPriorityFeePerGas: ${p.maxPriorityFeePerGas}, maxFeePerGas: ${p.maxFeePerGas}`)
    }
    const gasLimit = this.#backend.blockGasLimit()
    if (p.gasLimit > gasLimit) throw new TxPoolError(TxRejection.GasLimitExceeded, `exceeds block gas limit: gas ${p.gasLimit}, block gas limit ${gasLimit}`)
    const intrinsic = p.tx.getIntrinsicGas()
    if (p.gasLimit < intrinsic) {
      throw new TxPoolError(TxRejection.IntrinsicGasTooLow, `intrinsic gas too low: gas ${p.gasLimit}, minimum needed ${intrinsic}`)
    }
    if ('authorizationList' in p.tx && p.tx.authorizationList.length === 0) {
      throw new TxPoolError(TxRejection.InvalidAuthorization, 'EIP-7702 transaction with empty auth list')
    }
  }

  #checkAgainstState(p: PoolTx, entry: SenderEntry): void {
    const { nonce, balance } = entry.state
    if (p.nonce < nonce) throw new TxPoolError(TxRejection.NonceTooLow, `nonce too low: address ${p.senderHex}, tx: ${p.nonce} state: ${nonce}`)
    if (p.nonce > nonce + this.#opts.maxNonceGap) {
      throw new TxPoolError(TxRejection.NonceTooHigh, `nonce too high: address ${p.senderHex}, tx: ${p.nonce} state: ${nonce} (at most ${this.#opts.maxNonceGap} ahead)`)
    }
    // the sender must afford this transaction together with every earlier one it has queued
    let committed = p.maxCost
    for (const [n, other] of entry.txs) if (n < p.nonce) committed += other.maxCost
    if (committed > balance) {
      throw new TxPoolError(TxRejection.InsufficientFunds, `insufficient funds for gas * price + value: address ${p.senderHex} have ${balance} want ${committed}`)
    }
  }

  #checkReplacement(old: PoolTx, p: PoolTx): void {
    const bump = 100n + this.#opts.priceBumpPercent
    if (p.maxFeePerGas * 100n < old.maxFeePerGas * bump || p.maxPriorityFeePerGas * 100n < old.maxPriorityFeePerGas * bump) {
      throw new TxPoolError(
        TxRejection.ReplacementUnderpriced,
        `replacement transaction underpriced: needs at least ${this.#opts.priceBumpPercent}% more on both maxFeePerGas and maxPriorityFeePerGas than ${old.hashHex}`,
      )
    }
  }

  /** Enforces the per-sender and total caps, evicting the cheapest transaction when that is fairer. */
  #makeRoom(p: PoolTx, entry: SenderEntry): void {
    if (entry.txs.size >= this.#opts.maxPerSender) {
      throw new TxPoolError(TxRejection.SenderFull, `txpool is full: account ${p.senderHex} already has ${entry.txs.size} transactions pooled (limit ${this.#opts.maxPerSender})`)
    }
    if (this.#byHash.size < this.#opts.maxTotal) return
    const victim = this.#cheapestTail()
    if (victim === undefined || victim.maxFeePerGas >= p.maxFeePerGas) {
      throw new TxPoolError(TxRejection.PoolFull, 'txpool is full: transaction underpriced against the cheapest pooled transaction')
    }
    this.#remove(victim)
    void this.#backend.journalRemove([victim.hash])
  }

  /** The lowest-priced transaction that is last in its sender's line, so evicting it opens no gap. */
  #cheapestTail(): PoolTx | undefined {
    let best: PoolTx | undefined
    for (const entry of this.#senders.values()) {
      let tail: PoolTx | undefined
      for (const t of entry.txs.values()) if (tail === undefined || t.nonce > tail.nonce) tail = t
      if (tail !== undefined && (best === undefined || tail.maxFeePerGas < best.maxFeePerGas)) best = tail
    }
    return best
  }

  async #sender(address: Uint8Array): Promise<SenderEntry> {
    const key = toHex(address)
    const known = this.#senders.get(key)
    if (known !== undefined) return known
    let loading = this.#loading.get(key)
    if (loading === undefined) {
      loading = this.#backend.readAccount(address).then((state) => {
        const entry = this.#senders.get(key) ?? { address, state, txs: new Map() }
        this.#senders.set(key, entry)
        this.#loading.delete(key)
        return entry
      })
      this.#loading.set(key, loading)
    }
    return loading
  }

  #remove(p: PoolTx): void {
    this.#byHash.delete(p.hashHex)
    const entry = this.#senders.get(p.senderHex)
    if (entry === undefined) return
    if (entry.txs.get(p.nonce) === p) entry.txs.delete(p.nonce)
    if (entry.txs.size === 0) this.#senders.delete(p.senderHex)
  }

  /** Drops a transaction the producer could not execute (its sender's state changed under it). */
  drop(hashes: Uint8Array[]): void {
    const gone: Uint8Array[] = []
    for (const h of hashes) {
      const p = this.#byHash.get(toHex(h))
      if (p === undefined) continue
      this.#remove(p)
      gone.push(p.hash)
    }
    if (gone.length > 0) void this.#backend.journalRemove(gone)
  }

  /** After a block: re-read every tracked sender and drop what is mined or now stale. */
  async onNewHead(): Promise<void> {
    const entries = [...this.#senders.values()]
    const states = await Promise.all(entries.map((e) => this.#backend.readAccount(e.address)))
    const stale: Uint8Array[] = []
    entries.forEach((entry, i) => {
      entry.state = states[i]
      for (const [nonce, p] of entry.txs) {
        if (nonce < entry.state.nonce) {
          entry.txs.delete(nonce)
          this.#byHash.delete(p.hashHex)
          stale.push(p.hash)
        }
      }
      if (entry.txs.size === 0) this.#senders.delete(toHex(entry.address))
    })
    // mined ones left the journal with their block; only replaced-by-mining ones remain
    if (stale.length > 0) void this.#backend.journalRemove(stale)
  }

  get(hash: Uint8Array): PoolTx | undefined {
    return this.#byHash.get(toHex(hash))
  }

  /** Next nonce a sender would use, counting its pending transactions (eth_getTransactionCount 'pending'). */
  pendingNonce(address: Uint8Array): bigint | undefined {
    const entry = this.#senders.get(toHex(address))
    if (entry === undefined) return undefined
    let n = entry.state.nonce
    while (entry.txs.has(n)) n++
    return n
  }

  /**
   * Executable transactions, best tip first, each sender's in nonce order. The producer pulls
   * from the iterator and tells it when a sender must be skipped (its transaction failed).
   */
  *best(baseFee: bigint): Generator<PoolTx, void, boolean | undefined> {
    const heap = new TipHeap(baseFee)
    const next = new Map<string, bigint>()
    for (const [key, entry] of this.#senders) {
      const first = entry.txs.get(entry.state.nonce)
      if (first !== undefined && first.maxFeePerGas >= baseFee) {
        heap.push(first)
        next.set(key, entry.state.nonce)
      }
    }
    for (let p = heap.pop(); p !== undefined; p = heap.pop()) {
      const skipSender = yield p
      if (skipSender === true) continue
      const entry = this.#senders.get(p.senderHex)
      const follow = entry?.txs.get(p.nonce + 1n)
      if (follow !== undefined && follow.maxFeePerGas >= baseFee) heap.push(follow)
    }
  }

  /** Pending (executable now) and queued transactions per sender, for txpool_* methods. */
  content(): { pending: Map<string, PoolTx[]>; queued: Map<string, PoolTx[]> } {
    const baseFee = this.#backend.nextBaseFee()
    const pending = new Map<string, PoolTx[]>()
    const queued = new Map<string, PoolTx[]>()
    for (const [key, entry] of this.#senders) {
      const sorted = [...entry.txs.values()].sort((a, b) => (a.nonce < b.nonce ? -1 : 1))
      let expected = entry.state.nonce
      for (const p of sorted) {
        const executable = p.nonce === expected && p.maxFeePerGas >= baseFee
        if (executable) expected++
        const target = executable ? pending : queued
        const list = target.get(key) ?? []
        list.push(p)
        target.set(key, list)
      }
    }
    return { pending, queued }
  }

  status(): { pending: number; queued: number } {
    const { pending, queued } = this.content()
    let p = 0
    let q = 0
    for (const l of pending.values()) p += l.length
    for (const l of queued.values()) q += l.length
    return { pending: p, queued: q }
  }

  all(): PoolTx[] {
    return [...this.#byHash.values()]
  }
}

/** Max-heap on effective tip at a base fee; ties go to the earlier arrival. */
class TipHeap {
  readonly #items: Array<{ p: PoolTx; tip: bigint }> = []
  readonly #baseFee: bigint

  constructor(baseFee: bigint) {
    this.#baseFee = baseFee
  }

  push(p: PoolTx): void {
    const items = this.#items
    items.push({ p, tip: effectiveTip(p, this.#baseFee) })
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#before(items[i], items[parent])) break
      ;[items[i], items[parent]] = [items[parent], items[i]]
      i = parent
    }
  }

  pop(): PoolTx | undefined {
    const items = this.#items
    if (items.length === 0) return undefined
    const top = items[0]
    const last = items.pop()!
    if (items.length > 0) {
      items[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < items.length && this.#before(items[l], items[m])) m = l
        if (r < items.length && this.#before(items[r], items[m])) m = r
        if (m === i) break
        ;[items[i], items[m]] = [items[m], items[i]]
        i = m
      }
    }
    return top.p
  }

  #before(a: { p: PoolTx; tip: bigint }, b: { p: PoolTx; tip: bigint }): boolean {
    return a.tip !== b.tip ? a.tip > b.tip : a.p.addedAt < b.p.addedAt
  }
}
