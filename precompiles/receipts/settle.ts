// Settling a batch of inference receipts: the body of the Receipts precompile's settle().
//
//   decode ─► digests ─► signers (worker threads, batched) ─► rules per receipt, in order, against
//   the state and what the batch already did (escrow spent, requests seen) ─► receipts of a model
//   scored as one batch ─► fee split, contributions' shares ─► every changed slot written once
//
// A refused receipt is recorded with its reason and changes nothing; the others settle. Gas is
// charged by the schedule below; the batch settles the longest prefix its gas pays for, so a
// settlement never runs out of gas and what did not fit waits for the next block.
import type { ContributionEarning } from '../artifacts.ts'
import type { AttributionEngine, Candidates, ModelInfo } from '../attribution/engine.ts'
import { splitByWeight, splitFee } from '../attribution/shares.ts'
import * as D from '../datanets/records.ts'
import type { GasSchedule } from '../framework/gas.ts'
import { hexKey } from '../framework/hex.ts'
import type { CallContext } from '../framework/precompile.ts'
import type { Store } from '../framework/storage.ts'
import type { PrecompileSettings } from '../settings.ts'
import type { Keccak, SignedReceipt } from './format.ts'
import { domainSeparator, receiptDigest } from './format.ts'
import type { FeeParts, SettlementOutcome, StoredShare } from './outcome.ts'
import { NO_PARTS } from './outcome.ts'
import { candidatePayees, payeeKey, payeeOf } from './payees.ts'
import type { CandidatePayees } from './payees.ts'
import * as R from './records.ts'
import { Reason, checkRecords, checkTimes } from './rules.ts'
import type { Records } from './rules.ts'
import { ReceiptTerms } from './terms.ts'
import { registryStores } from '../stores.ts'
import type { RegistryStores } from '../stores.ts'

/** Recovers receipt signers; batched, off the main thread where the node can. */
export interface SignatureService {
  recover(digests: Uint8Array[], signatures: Uint8Array[]): Promise<Array<Uint8Array | undefined>>
}

/**
 * A batch already decoded, with each receipt's digest and recovered signer (undefined: the
 * signature recovers nobody): what the sequencer knew of the receipts it put in its own batch.
 */
export interface CheckedBatch {
  receipts: SignedReceipt[]
  digests: Uint8Array[]
  signers: Array<Uint8Array | undefined>
  /** each receipt's replay slot (R.replaySlot of its signer and request), where known */
  replaySlots?: Array<Uint8Array | undefined>
}

/** What the node already knows of a batch's exact bytes, if anything. */
export interface CheckedBatches {
  lookup(batch: Uint8Array): CheckedBatch | undefined
}

export interface SettlementServices {
  engine: AttributionEngine
  signatures: SignatureService
  keccak: Keccak
  /**
   * The sequencer's own batch as its pool checked it: decoding it, digesting its receipts, looking
   * up their signers and hashing their replay slots again was ~15 µs a receipt of the block's
   * execution. The same functions made it from the same bytes, so any node reaches the same
   * result without it.
   */
  checked?: CheckedBatches
}

/** A receipt that met every rule the state before the batch decides, with the records it met them against. */
interface Passed extends Records {
  index: number
  r: SignedReceipt
  hash: Uint8Array
  signer: Uint8Array
  /** the slot of its replay record */
  replay: Uint8Array
  /** that slot as a map key */
  replayKey: string
}

const ZERO20 = new Uint8Array(20)

/** A Datanet version's count of receipts scored against it, as the batch has it. */
interface VersionCounter {
  datanet: bigint
  version: bigint
  receipts: bigint
  changed: boolean
}

/** A Datanet's versions: each one's receipt counter, with how many contributions it holds (live, as R.candidateReceipts reads them). */
type VersionTable = Array<VersionCounter & R.VersionReceipts>

/** Map key of a Datanet version's receipt counter, `datanet:version`; the cited prefixes of a model are kept, so their keys are too. */
const versionKeys = new WeakMap<object, string>()
function versionKey(p: { datanetId: bigint; version: bigint }): string {
  let k = versionKeys.get(p)
  if (k === undefined) {
    k = `${p.datanetId}:${p.version}`
    versionKeys.set(p, k)
  }
  return k
}

/** A batch's outcome per receipt settled or refused, and what its contributions earned (kept beside the state). */
export interface SettledBatch {
  outcomes: SettlementOutcome[]
  earnings: ContributionEarning[]
}

/** Gas kept back for what follows the receipts: totals, the batch event, the return data. */
const RESERVE = 30_000n

/**
 * Settles the longest prefix of the batch that the call's gas pays for; receipts after it get no
 * outcome (they stay pending and go into a later batch). The first pass checks each receipt
 * against the state alone; the second against the receipts before it (requests seen, escrow
 * spent); the last, in order, scores those that passed both (model by model, a chunk at a time,
 * as it reaches them) and books the credits.
 */
export async function settleBatch(ctx: CallContext, batch: SignedReceipt[] | CheckedBatch, settings: PrecompileSettings, services: SettlementServices, chainId: bigint): Promise<SettledBatch> {
  const store = ctx.unmetered
  const stores = registryStores(store, settings)
  const { receipts, digests: hashes, signers, replaySlots } = Array.isArray(batch) ? await digestAndRecover(batch, settings, services, chainId) : batch

  const now = ctx.block.timestamp
  const terms = new ReceiptTerms(stores, services.engine)
  const first: Array<Passed | string> = []
  for (const [i, r] of receipts.entries()) first.push(await checkAgainstState(i, r, hashes[i], signers[i], replaySlots?.[i], now, chainId, settings, terms, store))
  const { checks: second, escrowAfter } = await checkAgainstBatch(receipts, first, store)
  const scores = new ChunkedScores(second.filter((x): x is Passed => typeof x !== 'string'), stores, services.engine, ctx.meter.gas)

  const ledger = new Ledger(store, stores.datanets)
  const escrow = new Map<string, bigint>()
  // replay slots of the requests this batch settles (checkAgainstBatch let each request pass once)
  const settled: Uint8Array[] = []
  const outcomes: SettlementOutcome[] = []
  const budget = ctx.meter.limit - RESERVE
  for (const [i, r] of receipts.entries()) {
    const signer = signers[i]
    const check = second[i]
    let cost = ctx.meter.gas.settleReceipt + ctx.meter.gas.settleSpan * BigInt(r.spans.length)
    let outcome: SettlementOutcome
    let apply: (() => Promise<void>) | undefined
    if (typeof check === 'string') {
      outcome = rejected(hashes[i], r, signer, check)
    } else {
      const payer = hexKey(r.payer)
      const { candidates, top, mode, gas } = await scores.of(check)
      const split = splitReceipt(check, candidates, top, mode, settings, services.engine)
      outcome = split.outcome
      const paid = credits(check, split, candidates, settings)
      cost += gas + ledger.costOf(paid, check.model, escrow.has(payer), ctx.meter.gas)
      apply = async () => {
        escrow.set(payer, escrowAfter[i])
        settled.push(check.replay)
        await ledger.book(paid, check, candidates)
      }
    }
    // what this receipt costs must fit, or it and everything after it waits for another batch
    if (ctx.meter.used + cost > budget) break
    ctx.meter.charge(cost)
    await apply?.()
    outcomes.push(outcome)
  }
  for (const [payer, balance] of escrow) await R.setEscrowBalance(store, Buffer.from(payer, 'hex'), balance)
  for (const slot of settled) await R.markSettledAt(store, slot, ctx.block.number)
  await ledger.write()
  return { outcomes, earnings: [...ledger.contributions.values()] }
}

/** Each receipt's digest and signer. */
async function digestAndRecover(receipts: SignedReceipt[], settings: PrecompileSettings, services: SettlementServices, chainId: bigint): Promise<CheckedBatch> {
  const separator = domainSeparator(chainId, settings.addresses.receipts.bytes, services.keccak)
  const digests = receipts.map((r) => receiptDigest(r, separator, services.keccak))
  return { receipts, digests, signers: await services.signatures.recover(digests, receipts.map((r) => r.signature)) }
}

/** The rules that need only the state as it was before the batch. */
async function checkAgainstState(
  i: number, r: SignedReceipt, hash: Uint8Array, signer: Uint8Array | undefined, slot: Uint8Array | undefined, now: bigint, chainId: bigint,
  settings: PrecompileSettings, terms: ReceiptTerms, store: Store,
): Promise<Passed | string> {
  const timing = checkTimes(r, chainId, now, settings.receipts)
  if (timing !== undefined) return timing
  if (signer === undefined) return Reason.badSignature
  const records = await checkRecords(r, signer, terms, settings.servers.minStake, false)
  if (typeof records === 'string') return records
  const replay = slot ?? R.replaySlot(signer, r.requestId)
  if ((await R.settledAt(store, replay)) !== 0n) return Reason.replayed
  return { index: i, r, hash, signer, replay, replayKey: hexKey(replay), ...records }
}

/**
 * The rules that depend on the receipts before in the batch: a request settled earlier in it, an
 * escrow that what settled before no longer covers. Decided before anything is scored, so that a
 * receipt they refuse is never scored. A receipt settles or is refused whatever it costs, and
 * only what settles changes what these rules see, so deciding them first gives what deciding
 * them in the settling loop gives, for every receipt the batch's gas reaches.
 */
async function checkAgainstBatch(receipts: SignedReceipt[], first: Array<Passed | string>, store: Store): Promise<{ checks: Array<Passed | string>; escrowAfter: bigint[] }> {
  const escrow = new Map<string, bigint>()
  const seen = new Set<string>()
  const out: Array<Passed | string> = []
  // of each receipt that passes: its payer's escrow once it and those before it have paid
  const escrowAfter: bigint[] = new Array<bigint>(receipts.length)
  for (const [i, r] of receipts.entries()) {
    const check = first[i]
    if (typeof check === 'string') {
      out.push(check)
      continue
    }
    const payer = hexKey(r.payer)
    const balance = escrow.get(payer) ?? (await R.escrowBalance(store, r.payer))
    if (seen.has(check.replayKey)) out.push(Reason.replayed)
    else if (balance < r.fee) out.push(Reason.insufficientEscrow)
    else {
      escrowAfter[i] = balance - r.fee
      escrow.set(payer, escrowAfter[i])
      seen.add(check.replayKey)
      out.push(check)
    }
  }
  return { checks: out, escrowAfter }
}

interface ScoredReceipt {
  candidates: Candidates
  top: Array<{ index: number; score: number }>
  mode: 'exact' | 'indexed'
  /** the scoring's gas, charged with the receipt */
  gas: bigint
}

/** Receipts scored at once: the block batch the scoring benchmarks time. */
const SCORE_CHUNK = 256

/**
 * Scores of the receipts that passed the first checks, made a chunk at a time as settlement
 * reaches them, and one chunk ahead: the next chunk is scored (by the scoring thread, where there
 * is one) while this one is booked. Receipts further past what the batch's gas pays for are never
 * scored (scoring is what a receipt costs most, and what is not settled pays nothing). A receipt's
 * attribution does not depend on the others scored with it, so chunks change no result.
 */
class ChunkedScores {
  readonly #passed: Passed[]
  readonly #stores: RegistryStores
  readonly #engine: AttributionEngine
  readonly #gas: GasSchedule
  readonly #scored = new Map<number, ScoredReceipt>()
  /** the first of `passed` not given to scoring yet */
  #next = 0
  /** the chunk scored ahead */
  #ahead: Promise<Map<number, ScoredReceipt>> | undefined

  constructor(passed: Passed[], stores: RegistryStores, engine: AttributionEngine, gas: GasSchedule) {
    this.#passed = passed
    this.#stores = stores
    this.#engine = engine
    this.#gas = gas
  }

  async of(p: Passed): Promise<ScoredReceipt> {
    for (;;) {
      const s = this.#scored.get(p.index)
      if (s !== undefined) return s
      const current = this.#ahead ?? this.#start()
      if (current === undefined) throw new Error(`receipt ${p.index} is not among those that passed`)
      this.#ahead = this.#start()
      // a chunk scored ahead that settlement never reaches fails unobserved, and harmlessly
      this.#ahead?.catch(() => undefined)
      for (const [index, scored] of await current) this.#scored.set(index, scored)
    }
  }

  #start(): Promise<Map<number, ScoredReceipt>> | undefined {
    if (this.#next >= this.#passed.length) return undefined
    const chunk = this.#passed.slice(this.#next, this.#next + SCORE_CHUNK)
    this.#next += chunk.length
    return scoreByModel(chunk, this.#stores, this.#engine, this.#gas)
  }
}

/** Receipts of one model are scored as one batch. */
async function scoreByModel(passed: Passed[], stores: RegistryStores, engine: AttributionEngine, gasSchedule: GasSchedule): Promise<Map<number, ScoredReceipt>> {
  const byModel = new Map<bigint, Passed[]>()
  for (const p of passed) {
    const list = byModel.get(p.r.modelId) ?? []
    list.push(p)
    byModel.set(p.r.modelId, list)
  }
  const out = new Map<number, ScoredReceipt>()
  for (const group of byModel.values()) {
    const info = group[0].model
    const n = engine.candidateCount(info)
    const mode = engine.modeOf(info, n)
    const gas = engine.scoringGasOf(gasSchedule, info, n, mode)
    const candidates = await engine.candidates(stores, info)
    const tops = await engine.score(candidates, group.map((p) => p.r.sketch), mode)
    group.forEach((p, j) => out.set(p.index, { candidates, top: tops[j], mode, gas }))
  }
  return out
}

/** A settled receipt's outcome, with its shares' candidate indexes and amounts (in the outcome's order). */
interface Split {
  outcome: SettlementOutcome
  indexes: number[]
  amounts: bigint[]
}

/** A receipt's fee split and its contributions' shares: pure, nothing is booked yet. */
function splitReceipt(p: Passed, c: Candidates, top: Array<{ index: number; score: number }>, mode: 'exact' | 'indexed', settings: PrecompileSettings, engine: AttributionEngine): Split {
  const r = p.r
  // the top k, then span evidence: tokens for a contribution already there, or a new entry
  const { indexes, scores, tokens, weights } = r.spans.length === 0 ? topShares(top) : withSpans(r, c, top, engine, settings.attribution.spanWeight)
  const split = splitFee(r.fee, settings.receipts.split)
  const { amounts, dust } = splitByWeight(split.contributors, weights)
  const attribution: StoredShare[] = indexes.map((index, j) => ({ contributionId: c.ids[index], score: scores[j], matchedTokens: tokens?.[j] ?? 0n, amount: amounts[j] }))
  // what floors leave of the contributors' part, or all of it if nobody has weight, is the treasury's
  const parts: FeeParts = { ...split, contributors: split.contributors - dust, treasury: split.treasury + dust }
  const outcome: SettlementOutcome = {
    hash: p.hash, txIndex: 0, status: 'settled', reason: '', server: p.signer, payer: r.payer, adapterId: r.adapterId, modelId: r.modelId,
    requestId: r.requestId, fee: r.fee, parts, mode, candidates: c.ids.length, attribution,
  }
  return { outcome, indexes, amounts }
}

/** A receipt's shares by candidate index, with their scores, span tokens (none: all 0) and weights. */
interface Shares {
  indexes: number[]
  scores: bigint[]
  tokens: bigint[] | undefined
  weights: bigint[]
}

/**
 * The shares of a receipt without span evidence: its top k, weighed by score, in candidate order.
 * An insertion sort of the k pairs: k is small, and a comparator sort of objects measured ~3× slower.
 */
function topShares(top: Array<{ index: number; score: number }>): Shares {
  const indexes = new Array<number>(top.length)
  const raw = new Array<number>(top.length)
  for (let i = 0; i < top.length; i++) {
    const { index, score } = top[i]
    let j = i
    for (; j > 0 && indexes[j - 1] > index; j--) {
      indexes[j] = indexes[j - 1]
      raw[j] = raw[j - 1]
    }
    indexes[j] = index
    raw[j] = score
  }
  const scores = raw.map((score) => BigInt(score))
  return { indexes, scores, tokens: undefined, weights: scores }
}

/** The shares of a receipt with span evidence; evidence for a contribution that is not a candidate counts for nothing. */
function withSpans(r: SignedReceipt, c: Candidates, top: Array<{ index: number; score: number }>, engine: AttributionEngine, spanWeight: bigint): Shares {
  const entries: Array<{ index: number; score: bigint; tokens: bigint }> = top.map((t) => ({ index: t.index, score: BigInt(t.score), tokens: 0n }))
  for (const span of r.spans) {
    const index = indexOf(c.ids, span.contributionId)
    if (index < 0) continue
    let e = entries.find((x) => x.index === index)
    if (e === undefined) {
      e = { index, score: engine.exactScore(c, index, r.sketch), tokens: 0n }
      entries.push(e)
    }
    e.tokens += span.matchedTokens
  }
  entries.sort((a, b) => a.index - b.index)
  return {
    indexes: entries.map((e) => e.index),
    scores: entries.map((e) => e.score),
    tokens: entries.map((e) => e.tokens),
    weights: entries.map((e) => (e.tokens === 0n ? e.score : e.score + spanWeight * e.tokens)),
  }
}

function rejected(hash: Uint8Array, r: SignedReceipt, signer: Uint8Array | undefined, reason: string): SettlementOutcome {
  return {
    hash, txIndex: 0, status: 'rejected', reason, server: signer ?? ZERO20, payer: r.payer, adapterId: r.adapterId, modelId: r.modelId,
    requestId: r.requestId, fee: r.fee, parts: NO_PARTS, mode: '', candidates: 0, attribution: [],
  }
}

function indexOf(ids: bigint[], id: bigint): number {
  let lo = 0
  let hi = ids.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (ids[mid] === id) return mid
    if (ids[mid] < id) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/** Who a settled receipt credits: the fee's parties, then its contributions (by candidate index), with their amounts. */
interface Paid {
  /** model owner, adapter owner, server operator, treasury: payee numbers */
  parties: [number, number, number, number]
  partyAmounts: [bigint, bigint, bigint, bigint]
  table: CandidatePayees
  indexes: number[]
  amounts: bigint[]
}

function credits(p: Passed, s: Split, c: Candidates, settings: PrecompileSettings): Paid {
  const parts = s.outcome.parts
  return {
    parties: [payeeOf(p.model.owner.bytes), payeeOf(p.adapter.owner.bytes), payeeOf(p.server.operator.bytes), payeeOf(settings.receipts.treasury.bytes)],
    partyAmounts: [parts.modelOwner, parts.adapterOwner, parts.server, parts.treasury],
    table: candidatePayees(c),
    indexes: s.indexes,
    amounts: s.amounts,
  }
}

/**
 * What a batch credits, summed in memory and written once: claimable balances, Datanet and version
 * counters (in the state), and contributions' earnings (handed to the node's statistics index:
 * together they make the idle-contribution report). Accounts are kept by payee number (payees.ts).
 */
class Ledger {
  /** by payee number: what the batch credits it (undefined: nothing yet) */
  readonly #claimable: Array<bigint | undefined> = []
  /** payee numbers credited, in the order first credited */
  readonly #credited: number[] = []
  /** by contribution and Datanet id as numbers (ids are counters): number keys hash several times faster than bigint */
  readonly contributions = new Map<number, ContributionEarning>()
  readonly datanets = new Map<number, R.DatanetCounters>()
  /** by payee number: the receipt (#receiptMark) that last counted it in costOf */
  readonly #marks: number[] = []
  #receiptMark = 0
  /** scratch of costOf: the Datanets one receipt pays that the batch has not */
  readonly #newDatanets: number[] = []
  /** receipt counters of the Datanet versions read or changed, by versionKey */
  readonly #versionCounters = new Map<string, VersionCounter>()
  /** per Datanet, its versions' sizes with their counters */
  readonly #versions = new Map<number, VersionTable>()
  /** scratch of #counters: the tables of the Datanets one receipt pays */
  readonly #tables = new Map<number, VersionTable>()
  readonly #store: Store
  readonly #datanetStore: Store
  fees = 0n
  receipts = 0n

  constructor(store: Store, datanets: Store) {
    this.#store = store
    this.#datanetStore = datanets
  }

  #credit(payee: number, amount: bigint): void {
    if (amount === 0n) return
    const before = this.#claimable[payee]
    if (before === undefined) this.#credited.push(payee)
    this.#claimable[payee] = (before ?? 0n) + amount
  }

  /** Counts a payee this receipt credits (a non-zero amount) that the batch has not credited yet, once per receipt. */
  #isNewAccount(payee: number): boolean {
    if (this.#claimable[payee] !== undefined || this.#marks[payee] === this.#receiptMark) return false
    this.#marks[payee] = this.#receiptMark
    return true
  }

  /**
   * Gas for the slots this receipt would change that the batch has not changed yet. Counts are
   * numbers (a bigint increment allocates): tens of shares a receipt pass through here.
   */
  costOf(paid: Paid, model: ModelInfo, payerKnown: boolean, gas: GasSchedule): bigint {
    this.#receiptMark++
    let accounts = payerKnown ? 0 : 1
    for (let j = 0; j < 4; j++) if (paid.partyAmounts[j] !== 0n && this.#isNewAccount(paid.parties[j])) accounts++
    const { table, indexes, amounts } = paid
    const datanets = this.#newDatanets
    datanets.length = 0
    let contributions = 0
    for (let j = 0; j < indexes.length; j++) {
      if (amounts[j] === 0n) continue
      const index = indexes[j]
      if (this.#isNewAccount(table.payee[index])) accounts++
      if (!this.contributions.has(table.id[index])) contributions++
      const d = table.datanet[index]
      if (!this.datanets.has(d) && !datanets.includes(d)) datanets.push(d)
    }
    let counters = datanets.length
    for (const pr of model.prefixes) if (this.#versionCounters.get(versionKey(pr))?.changed !== true) counters++
    return gas.settleAccount * BigInt(accounts) + gas.settleContribution * BigInt(contributions) + gas.settleCounter * BigInt(counters)
  }

  /** Books one settled receipt: every party's credit and the attribution counters. */
  async book(paid: Paid, p: Passed, c: Candidates): Promise<void> {
    for (let j = 0; j < 4; j++) this.#credit(paid.parties[j], paid.partyAmounts[j])
    const { table, indexes, amounts } = paid
    for (let j = 0; j < indexes.length; j++) this.#credit(table.payee[indexes[j]], amounts[j])
    this.fees += p.r.fee
    await this.#counters(p.model, c, paid)
  }

  /**
   * The receipt was a candidate receipt for every contribution in the model's cited prefixes; the
   * contributions it paid remember the counts at which they last earned.
   */
  async #counters(model: ModelInfo, c: Candidates, paid: Paid): Promise<void> {
    this.receipts++
    for (const p of model.prefixes) {
      const counter = this.#versionCounters.get(versionKey(p)) ?? (await this.#versionCounter(p.datanetId, p.version, versionKey(p)))
      counter.receipts++
      counter.changed = true
    }
    const { table, indexes, amounts } = paid
    // per Datanet paid, its versions with their live receipt counters (read before the next receipt changes them)
    const tables = this.#tables
    tables.clear()
    for (let j = 0; j < indexes.length; j++) {
      const d = table.datanet[indexes[j]]
      if (amounts[j] === 0n || tables.has(d)) continue
      ;(this.datanets.get(d) ?? (await this.#datanet(c.datanetOf[indexes[j]]))).earningReceipts++
      tables.set(d, this.#versions.get(d) ?? (await this.#versionTable(c.datanetOf[indexes[j]])))
    }
    // a Datanet's counters and version table are looked up again only when the Datanet changes
    // from one share to the next: a receipt's shares are mostly of one Datanet
    let d = -1
    let dc: R.DatanetCounters | undefined
    let versions: VersionTable | undefined
    for (let j = 0; j < indexes.length; j++) {
      const amount = amounts[j]
      if (amount === 0n) continue
      const index = indexes[j]
      if (table.datanet[index] !== d) {
        d = table.datanet[index]
        dc = this.datanets.get(d) as R.DatanetCounters
        versions = tables.get(d) as VersionTable
      }
      const counters = dc as R.DatanetCounters
      counters.earned += amount
      const id = table.id[index]
      const candidate = R.candidateReceipts(versions as VersionTable, c.acceptIndex[index])
      const cc = this.contributions.get(id)
      if (cc === undefined) {
        this.contributions.set(id, { contributionId: c.ids[index], earned: amount, candidateAtLastEarn: candidate, datanetEarningAtLastEarn: counters.earningReceipts })
        continue
      }
      cc.earned += amount
      cc.candidateAtLastEarn = candidate
      cc.datanetEarningAtLastEarn = counters.earningReceipts
    }
  }

  /** A Datanet's versions with their receipt counters. */
  async #versionTable(datanet: bigint): Promise<VersionTable> {
    let versions = this.#versions.get(Number(datanet))
    if (versions === undefined) {
      versions = []
      for (const v of await D.versionList(this.#datanetStore, datanet)) versions.push(Object.assign(await this.#versionCounter(datanet, v.version), { count: v.count }))
      this.#versions.set(Number(datanet), versions)
    }
    return versions
  }

  async #versionCounter(datanet: bigint, version: bigint, key = `${datanet}:${version}`): Promise<VersionCounter> {
    let c = this.#versionCounters.get(key)
    if (c === undefined) {
      c = { datanet, version, receipts: await R.versionReceipts(this.#store, datanet, version), changed: false }
      this.#versionCounters.set(key, c)
    }
    return c
  }

  async #datanet(id: bigint): Promise<R.DatanetCounters> {
    const d = Number(id)
    let c = this.datanets.get(d)
    if (c === undefined) {
      c = await R.datanetCounters(this.#store, id)
      this.datanets.set(d, c)
    }
    return c
  }

  async write(): Promise<void> {
    const s = this.#store
    for (const payee of this.#credited) {
      const a = Buffer.from(payeeKey(payee), 'hex')
      await R.setClaimable(s, a, (await R.claimable(s, a)) + (this.#claimable[payee] as bigint))
    }
    for (const [id, c] of this.datanets) await R.setDatanetCounters(s, BigInt(id), c)
    for (const c of this.#versionCounters.values()) if (c.changed) await R.setVersionReceipts(s, c.datanet, c.version, c.receipts)
    const t = await R.totals(s)
    await R.setTotals(s, t.receipts + this.receipts, t.fees + this.fees)
  }
}
