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
import type { AttributionShare, FeeParts, SettlementOutcome } from './outcome.ts'
import { NO_PARTS } from './outcome.ts'
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

export interface SettlementServices {
  engine: AttributionEngine
  signatures: SignatureService
  keccak: Keccak
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

/**
 * Map keys of the fee's parties (model and adapter owners, servers, treasury): the same few
 * address arrays, credited by every receipt, so their hex is kept by array, not made again.
 */
const keys = new WeakMap<Uint8Array, string>()
const keyOf = (b: Uint8Array): string => {
  let k = keys.get(b)
  if (k === undefined) {
    k = hexKey(b)
    keys.set(b, k)
  }
  return k
}
/** Map keys of a candidate set's contributors by candidate index, made when first paid: no lookup by array per share. */
const contributorKeys = new WeakMap<Candidates, string[]>()
function contributorKey(c: Candidates, index: number): string {
  let keys = contributorKeys.get(c)
  if (keys === undefined) {
    keys = new Array<string>(c.contributors.length)
    contributorKeys.set(c, keys)
  }
  return (keys[index] ??= hexKey(c.contributors[index]))
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
export async function settleBatch(ctx: CallContext, receipts: SignedReceipt[], settings: PrecompileSettings, services: SettlementServices, chainId: bigint): Promise<SettledBatch> {
  const store = ctx.unmetered
  const stores = registryStores(store, settings)
  const separator = domainSeparator(chainId, settings.addresses.receipts.bytes, services.keccak)
  const hashes = receipts.map((r) => receiptDigest(r, separator, services.keccak))
  const signers = await services.signatures.recover(hashes, receipts.map((r) => r.signature))

  const now = ctx.block.timestamp
  const terms = new ReceiptTerms(stores, services.engine)
  const first: Array<Passed | string> = []
  for (const [i, r] of receipts.entries()) first.push(await checkAgainstState(i, r, hashes[i], signers[i], now, chainId, settings, terms, store))
  const { checks: second, escrowAfter } = await checkAgainstBatch(receipts, first, store)
  const scores = new ChunkedScores(second.filter((x): x is Passed => typeof x !== 'string'), stores, services.engine, ctx.meter.gas)

  const ledger = new Ledger(store, stores.datanets)
  const escrow = new Map<string, bigint>()
  // replay slots of the requests this batch settles, by key
  const seen = new Map<string, Uint8Array>()
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
      const { outcome: settled, indexes } = splitReceipt(check, candidates, top, mode, settings, services.engine)
      outcome = settled
      const paid = credits(check, settled, candidates, indexes, settings)
      cost += gas + ledger.costOf(paid, settled, check.model, escrow.has(payer), ctx.meter.gas)
      apply = async () => {
        escrow.set(payer, escrowAfter[i])
        seen.set(check.replayKey, check.replay)
        await ledger.book(paid, check, candidates, settled, indexes)
      }
    }
    // what this receipt costs must fit, or it and everything after it waits for another batch
    if (ctx.meter.used + cost > budget) break
    ctx.meter.charge(cost)
    await apply?.()
    outcomes.push(outcome)
  }
  for (const [payer, balance] of escrow) await R.setEscrowBalance(store, Buffer.from(payer, 'hex'), balance)
  for (const slot of seen.values()) await R.markSettledAt(store, slot, ctx.block.number)
  await ledger.write()
  return { outcomes, earnings: [...ledger.contributions.values()] }
}

/** The rules that need only the state as it was before the batch. */
async function checkAgainstState(
  i: number, r: SignedReceipt, hash: Uint8Array, signer: Uint8Array | undefined, now: bigint, chainId: bigint,
  settings: PrecompileSettings, terms: ReceiptTerms, store: Store,
): Promise<Passed | string> {
  const timing = checkTimes(r, chainId, now, settings.receipts)
  if (timing !== undefined) return timing
  if (signer === undefined) return Reason.badSignature
  const records = await checkRecords(r, signer, terms, settings.servers.minStake, false)
  if (typeof records === 'string') return records
  const replay = R.replaySlot(signer, r.requestId)
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
 * reaches them: receipts past what the batch's gas pays for are never scored (scoring is what a
 * receipt costs most, and what is not settled pays nothing). A receipt's attribution does not
 * depend on the others scored with it, so chunks change no result.
 */
class ChunkedScores {
  readonly #passed: Passed[]
  readonly #stores: RegistryStores
  readonly #engine: AttributionEngine
  readonly #gas: GasSchedule
  readonly #scored = new Map<number, ScoredReceipt>()
  /** the first of `passed` not scored yet */
  #next = 0

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
      if (this.#next >= this.#passed.length) throw new Error(`receipt ${p.index} is not among those that passed`)
      const chunk = this.#passed.slice(this.#next, this.#next + SCORE_CHUNK)
      this.#next += chunk.length
      for (const [index, scored] of await scoreByModel(chunk, this.#stores, this.#engine, this.#gas)) this.#scored.set(index, scored)
    }
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

/** A receipt's fee split and its contributions' shares (with their candidate indexes): pure, nothing is booked yet. */
function splitReceipt(p: Passed, c: Candidates, top: Array<{ index: number; score: number }>, mode: 'exact' | 'indexed', settings: PrecompileSettings, engine: AttributionEngine): { outcome: SettlementOutcome; indexes: number[] } {
  const r = p.r
  // the top k, then span evidence: tokens for a contribution already there, or a new entry
  const entries: Array<{ index: number; score: bigint; tokens: bigint }> = top.map((t) => ({ index: t.index, score: BigInt(t.score), tokens: 0n }))
  for (const span of r.spans) {
    const index = indexOf(c.ids, span.contributionId)
    // evidence for a contribution that is not a candidate of this model counts for nothing
    if (index < 0) continue
    let e = entries.find((x) => x.index === index)
    if (e === undefined) {
      e = { index, score: engine.exactScore(c, index, r.sketch), tokens: 0n }
      entries.push(e)
    }
    e.tokens += span.matchedTokens
  }
  entries.sort((a, b) => a.index - b.index)
  const spanWeight = settings.attribution.spanWeight
  const weights = entries.map((e) => (e.tokens === 0n ? e.score : e.score + spanWeight * e.tokens))
  const split = splitFee(r.fee, settings.receipts.split)
  const { amounts, dust } = splitByWeight(split.contributors, weights)
  const attribution: AttributionShare[] = entries.map((e, j) => ({
    contributionId: c.ids[e.index],
    datanetId: c.datanetOf[e.index],
    contributor: c.contributors[e.index],
    score: e.score,
    matchedTokens: e.tokens,
    weight: weights[j],
    amount: amounts[j],
  }))
  // what floors leave of the contributors' part, or all of it if nobody has weight, is the treasury's
  const parts: FeeParts = { ...split, contributors: split.contributors - dust, treasury: split.treasury + dust }
  const outcome: SettlementOutcome = {
    hash: p.hash, txIndex: 0, status: 'settled', reason: '', server: p.signer, payer: r.payer, adapterId: r.adapterId, modelId: r.modelId,
    requestId: r.requestId, fee: r.fee, parts, mode, candidates: c.ids.length, attribution,
  }
  return { outcome, indexes: entries.map((e) => e.index) }
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

/**
 * What a batch credits, summed in memory and written once: claimable balances, Datanet and version
 * counters (in the state), and contributions' earnings (handed to the node's statistics index:
 * together they make the idle-contribution report).
 */
class Ledger {
  readonly claimable = new Map<string, bigint>()
  /** by contribution and Datanet id as numbers (ids are counters): number keys hash several times faster than bigint */
  readonly contributions = new Map<number, ContributionEarning>()
  readonly datanets = new Map<number, R.DatanetCounters>()
  readonly #accounts = new Set<string>()
  readonly #datanetScratch = new Set<number>()
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

  credit(account: string, amount: bigint): void {
    if (amount === 0n) return
    this.claimable.set(account, (this.claimable.get(account) ?? 0n) + amount)
  }

  /** Gas for the slots this receipt would change that the batch has not changed yet. */
  costOf(paid: Array<[string, bigint]>, o: SettlementOutcome, model: ModelInfo, payerKnown: boolean, gas: GasSchedule): bigint {
    // scratch sets, reused: this runs once per receipt
    const accounts = this.#accounts
    const datanets = this.#datanetScratch
    accounts.clear()
    datanets.clear()
    for (const [account, amount] of paid) if (amount !== 0n && !this.claimable.has(account)) accounts.add(account)
    let contributions = 0n
    for (const s of o.attribution) {
      if (s.amount === 0n) continue
      if (!this.contributions.has(Number(s.contributionId))) contributions++
      const d = Number(s.datanetId)
      if (!this.datanets.has(d)) datanets.add(d)
    }
    let counters = BigInt(datanets.size)
    for (const pr of model.prefixes) if (this.#versionCounters.get(versionKey(pr))?.changed !== true) counters++
    return gas.settleAccount * BigInt(accounts.size + (payerKnown ? 0 : 1)) + gas.settleContribution * contributions + gas.settleCounter * counters
  }

  /** Books one settled receipt: every party's credit and the attribution counters. */
  async book(paid: Array<[string, bigint]>, p: Passed, c: Candidates, o: SettlementOutcome, indexes: number[]): Promise<void> {
    for (const [account, amount] of paid) this.credit(account, amount)
    this.fees += p.r.fee
    await this.#counters(p.model, c, o.attribution, indexes)
  }

  /**
   * The receipt was a candidate receipt for every contribution in the model's cited prefixes; the
   * contributions it paid remember the counts at which they last earned.
   */
  async #counters(model: ModelInfo, c: Candidates, shares: AttributionShare[], indexes: number[]): Promise<void> {
    this.receipts++
    for (const p of model.prefixes) {
      const counter = this.#versionCounters.get(versionKey(p)) ?? (await this.#versionCounter(p.datanetId, p.version, versionKey(p)))
      counter.receipts++
      counter.changed = true
    }
    // per Datanet paid, its versions with their live receipt counters (read before the next receipt changes them)
    const tables = this.#tables
    tables.clear()
    for (const s of shares) {
      const d = Number(s.datanetId)
      if (s.amount === 0n || tables.has(d)) continue
      ;(this.datanets.get(d) ?? (await this.#datanet(s.datanetId))).earningReceipts++
      tables.set(d, this.#versions.get(d) ?? (await this.#versionTable(s.datanetId)))
    }
    for (const [j, s] of shares.entries()) {
      if (s.amount === 0n) continue
      const d = Number(s.datanetId)
      const dc = this.datanets.get(d) as R.DatanetCounters
      dc.earned += s.amount
      const id = Number(s.contributionId)
      let cc = this.contributions.get(id)
      if (cc === undefined) {
        cc = { contributionId: s.contributionId, earned: 0n, candidateAtLastEarn: 0n, datanetEarningAtLastEarn: 0n }
        this.contributions.set(id, cc)
      }
      cc.earned += s.amount
      cc.candidateAtLastEarn = R.candidateReceipts(tables.get(d) as VersionTable, BigInt(c.acceptIndex[indexes[j]]))
      cc.datanetEarningAtLastEarn = dc.earningReceipts
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
    for (const [account, add] of this.claimable) {
      const a = Buffer.from(account, 'hex')
      await R.setClaimable(s, a, (await R.claimable(s, a)) + add)
    }
    for (const [id, c] of this.datanets) await R.setDatanetCounters(s, BigInt(id), c)
    for (const c of this.#versionCounters.values()) if (c.changed) await R.setVersionReceipts(s, c.datanet, c.version, c.receipts)
    const t = await R.totals(s)
    await R.setTotals(s, t.receipts + this.receipts, t.fees + this.fees)
  }
}

/** Who a settled receipt credits (by map key), and how much: the parties of the fee, then the contributors. */
function credits(p: Passed, o: SettlementOutcome, c: Candidates, indexes: number[], settings: PrecompileSettings): Array<[string, bigint]> {
  const out: Array<[string, bigint]> = [
    [keyOf(p.model.owner.bytes), o.parts.modelOwner],
    [keyOf(p.adapter.owner.bytes), o.parts.adapterOwner],
    [keyOf(p.server.operator.bytes), o.parts.server],
    [keyOf(settings.receipts.treasury.bytes), o.parts.treasury],
  ]
  for (const [j, s] of o.attribution.entries()) out.push([contributorKey(c, indexes[j]), s.amount])
  return out
}
