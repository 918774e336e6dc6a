// Inference servers in the InferenceNodes precompile's storage, keyed by the address whose key
// signs their receipts, so settling a receipt finds its server from the recovered signer alone.
//
// Layout, under keccak("opal.servers") = S:
//   S+0 server count
//   map(S+1, signer): operator, endpoint, stake, status, registeredAt, unbondingSince, availableAt,
//                     slashed, index
//   map(S+2, index) → signer (registration order, for listing)
import type { Address } from '@ethereumjs/util'
import { Store, mapSlot, namespace } from '../framework/storage.ts'

export const NS = namespace('opal.servers')
const COUNT = NS
const F = { operator: 0n, endpoint: 1n, stake: 2n, status: 3n, registeredAt: 4n, unbondingSince: 5n, availableAt: 6n, slashed: 7n, index: 8n } as const
const base = (signer: Address) => mapSlot(NS + 1n, signer.bytes)
const indexSlot = (i: bigint) => mapSlot(NS + 2n, i)

export const ServerStatus = { None: 0, Active: 1, Unbonding: 2, Exited: 3 } as const
export type ServerStatus = (typeof ServerStatus)[keyof typeof ServerStatus]

export interface ServerRecord {
  signer: Address
  operator: Address
  endpoint: string
  stake: bigint
  status: ServerStatus
  registeredAt: bigint
  unbondingSince: bigint
  availableAt: bigint
  slashed: bigint
}

/** What settling a receipt needs of its server: four slot reads. */
export interface ServerTerms {
  operator: Address
  stake: bigint
  status: ServerStatus
  unbondingSince: bigint
}

export async function serverCount(s: Store): Promise<bigint> {
  return s.u(COUNT)
}

export async function serverTerms(s: Store, signer: Address): Promise<ServerTerms> {
  const b = base(signer)
  const status = Number(await s.u(b + F.status)) as ServerStatus
  if (status === ServerStatus.None) return { operator: await s.addr(b + F.operator), stake: 0n, status, unbondingSince: 0n }
  return { operator: await s.addr(b + F.operator), stake: await s.u(b + F.stake), status, unbondingSince: await s.u(b + F.unbondingSince) }
}

export async function readServer(s: Store, signer: Address): Promise<ServerRecord | undefined> {
  const b = base(signer)
  const status = Number(await s.u(b + F.status)) as ServerStatus
  if (status === ServerStatus.None) return undefined
  return {
    signer,
    operator: await s.addr(b + F.operator),
    endpoint: await s.string(b + F.endpoint),
    stake: await s.u(b + F.stake),
    status,
    registeredAt: await s.u(b + F.registeredAt),
    unbondingSince: await s.u(b + F.unbondingSince),
    availableAt: await s.u(b + F.availableAt),
    slashed: await s.u(b + F.slashed),
  }
}

/** A new server, or a server that had exited registering again (it keeps its list position). */
export async function register(s: Store, r: { signer: Address; operator: Address; endpoint: string; stake: bigint; at: bigint }): Promise<void> {
  const b = base(r.signer)
  if ((await s.u(b + F.index)) === 0n) {
    const n = (await s.u(COUNT)) + 1n
    await s.setU(COUNT, n)
    await s.setU(b + F.index, n)
    await s.setAddr(indexSlot(n), r.signer)
  }
  await s.setAddr(b + F.operator, r.operator)
  await s.setString(b + F.endpoint, r.endpoint)
  await s.setU(b + F.stake, r.stake)
  await s.setU(b + F.status, BigInt(ServerStatus.Active))
  await s.setU(b + F.registeredAt, r.at)
  await s.setU(b + F.unbondingSince, 0n)
  await s.setU(b + F.availableAt, 0n)
}

export async function setStake(s: Store, signer: Address, stake: bigint): Promise<void> {
  await s.setU(base(signer) + F.stake, stake)
}

export async function addSlashed(s: Store, signer: Address, amount: bigint): Promise<void> {
  const slot = base(signer) + F.slashed
  await s.setU(slot, (await s.u(slot)) + amount)
}

export async function setEndpoint(s: Store, signer: Address, endpoint: string): Promise<void> {
  await s.setString(base(signer) + F.endpoint, endpoint)
}

export async function startUnbonding(s: Store, signer: Address, at: bigint, availableAt: bigint): Promise<void> {
  const b = base(signer)
  await s.setU(b + F.status, BigInt(ServerStatus.Unbonding))
  await s.setU(b + F.unbondingSince, at)
  await s.setU(b + F.availableAt, availableAt)
}

export async function markExited(s: Store, signer: Address): Promise<void> {
  const b = base(signer)
  await s.setU(b + F.status, BigInt(ServerStatus.Exited))
  await s.setU(b + F.stake, 0n)
}

export async function listServers(s: Store, cursor: bigint, limit: bigint): Promise<{ signers: Address[]; next: bigint }> {
  const total = await s.u(COUNT)
  const signers: Address[] = []
  let i = cursor + 1n
  for (; i <= total && BigInt(signers.length) < limit; i++) signers.push(await s.addr(indexSlot(i)))
  return { signers, next: i <= total ? i - 1n : 0n }
}
