// Escrow, claimable balances, replay records and attribution statistics in the Receipts
// precompile's storage. Settlement adds up what a batch changes and writes each slot once.
//
// Layout, under keccak("opal.receipts") = R:
//   R+0 receipts settled · R+1 fees settled (wei)
//   map(R+2, payer): balance, pendingWithdrawal, availableAt
//   map(R+3, account) → claimable wei
//   map(R+4, keccak(server ‖ requestId)) → block number it was settled in (replay record)
//   R+5 unused (per-contribution counters are kept by the node beside the chain: chain/db/contributionStats.ts)
//   map(R+6, datanet): earned wei, earning receipts (receipts in which one of its contributions earned)
//   map(map(R+7, datanet), version) → receipts scored whose candidates were that version's prefix
import { Store, keccak, mapSlot, namespace, toBig, word } from '../framework/storage.ts'

export const NS = namespace('opal.receipts')
const RECEIPTS = NS
const FEES = NS + 1n
const escrowBase = (payer: Uint8Array) => mapSlot(NS + 2n, payer)
const claimableSlot = (account: Uint8Array) => mapSlot(NS + 3n, account)
const datanetBase = (id: bigint) => mapSlot(NS + 6n, id)
const versionSlot = (datanet: bigint, version: bigint) => mapSlot(mapSlot(NS + 7n, datanet), version)

const REPLAY_BASE = word(NS + 4n)

/**
 * The slot of the replay record of (server, requestId), as its word: mapSlot(R+4, keccak(server ‖
 * requestId)) computed on bytes. Every receipt reads one when submitted and settled, and writes one.
 */
export function replaySlot(server: Uint8Array, requestId: Uint8Array): Uint8Array {
  const key = new Uint8Array(52)
  key.set(server, 0)
  key.set(requestId, 20)
  const pair = new Uint8Array(64)
  pair.set(keccak(key), 0)
  pair.set(REPLAY_BASE, 32)
  return keccak(pair)
}

interface Escrow {
  balance: bigint
  pendingWithdrawal: bigint
  availableAt: bigint
}

export async function readEscrow(s: Store, payer: Uint8Array): Promise<Escrow> {
  const b = escrowBase(payer)
  return { balance: await s.u(b), pendingWithdrawal: await s.u(b + 1n), availableAt: await s.u(b + 2n) }
}

export async function escrowBalance(s: Store, payer: Uint8Array): Promise<bigint> {
  return s.u(escrowBase(payer))
}

export async function setEscrowBalance(s: Store, payer: Uint8Array, balance: bigint): Promise<void> {
  await s.setU(escrowBase(payer), balance)
}

export async function setPendingWithdrawal(s: Store, payer: Uint8Array, amount: bigint, availableAt: bigint): Promise<void> {
  const b = escrowBase(payer)
  await s.setU(b + 1n, amount)
  await s.setU(b + 2n, availableAt)
}

export async function claimable(s: Store, account: Uint8Array): Promise<bigint> {
  return s.u(claimableSlot(account))
}

export async function setClaimable(s: Store, account: Uint8Array, amount: bigint): Promise<void> {
  await s.setU(claimableSlot(account), amount)
}

export async function settledIn(s: Store, server: Uint8Array, requestId: Uint8Array): Promise<bigint> {
  return settledAt(s, replaySlot(server, requestId))
}

/** The block a request was settled in (0: never), by its replay slot. */
export async function settledAt(s: Store, slot: Uint8Array): Promise<bigint> {
  return toBig(await s.rawAt(slot))
}

export async function markSettledAt(s: Store, slot: Uint8Array, block: bigint): Promise<void> {
  await s.setRawAt(slot, word(block))
}

export async function totals(s: Store): Promise<{ receipts: bigint; fees: bigint }> {
  return { receipts: await s.u(RECEIPTS), fees: await s.u(FEES) }
}

export async function setTotals(s: Store, receipts: bigint, fees: bigint): Promise<void> {
  await s.setU(RECEIPTS, receipts)
  await s.setU(FEES, fees)
}

export interface DatanetCounters {
  earned: bigint
  earningReceipts: bigint
}

export async function datanetCounters(s: Store, id: bigint): Promise<DatanetCounters> {
  const b = datanetBase(id)
  return { earned: await s.u(b), earningReceipts: await s.u(b + 1n) }
}

export async function setDatanetCounters(s: Store, id: bigint, c: DatanetCounters): Promise<void> {
  const b = datanetBase(id)
  await s.setU(b, c.earned)
  await s.setU(b + 1n, c.earningReceipts)
}

/** A Datanet version and the candidate receipts counted for it. */
export interface VersionReceipts {
  /** contributions the version holds (a prefix of the accepted list) */
  count: bigint
  receipts: bigint
}

/** A Datanet's versions with their candidate receipts, as the state holds them. */
export async function versionReceiptTable(s: Store, versions: Array<{ version: bigint; count: bigint }>, datanet: bigint): Promise<VersionReceipts[]> {
  return Promise.all(versions.map(async (v) => ({ count: v.count, receipts: await versionReceipts(s, datanet, v.version) })))
}

/**
 * Receipts a contribution at `acceptIndex` of its Datanet's accepted list was a candidate for:
 * those scored against any version whose prefix holds it.
 */
export function candidateReceipts(versions: VersionReceipts[], acceptIndex: number): bigint {
  // a Datanet of one version (the usual case, and every share of it asks): no sum to make
  if (versions.length === 1) return versions[0].count > acceptIndex ? versions[0].receipts : 0n
  let n = 0n
  for (const v of versions) if (Number(v.count) > acceptIndex) n += v.receipts
  return n
}

export async function versionReceipts(s: Store, datanet: bigint, version: bigint): Promise<bigint> {
  return s.u(versionSlot(datanet, version))
}

export async function setVersionReceipts(s: Store, datanet: bigint, version: bigint, n: bigint): Promise<void> {
  await s.setU(versionSlot(datanet, version), n)
}
