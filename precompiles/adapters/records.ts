// Adapters in the AdapterRegistry's storage. Every field of an adapter sits at a slot computed
// from its id alone, so a lookup costs the same with ten adapters or ten million.
//
// Layout, under keccak("opal.adapters") = A:
//   A+0 adapter count
//   map(A+1, id): modelId, owner, weightsHash, weightsURI, rank, targetModules, pricePerKTokens,
//                 active, createdAt, deactivatedAt, previousPrice, priceSince
//
// A receipt is priced at the price in force when it was issued: the previous price until
// priceSince, the current one from then on. A receipt issued before the adapter was deactivated
// still settles (the work was done).
//   map(A+2, model) → adapter ids[]
import type { Address } from '@ethereumjs/util'
import { Store, mapSlot, namespace } from '../framework/storage.ts'

export const NS = namespace('opal.adapters')
const COUNT = NS
const F = { modelId: 0n, owner: 1n, weightsHash: 2n, weightsURI: 3n, rank: 4n, targetModules: 5n, price: 6n, active: 7n, createdAt: 8n, deactivatedAt: 9n, previousPrice: 10n, priceSince: 11n } as const
const base = (id: bigint) => mapSlot(NS + 1n, id)
const byModel = (model: bigint) => mapSlot(NS + 2n, model)

export interface AdapterInput {
  modelId: bigint
  owner: Address
  weightsHash: Uint8Array
  weightsURI: string
  rank: number
  targetModules: string
  pricePerKTokens: bigint
  createdAt: bigint
}

export interface AdapterRecord extends AdapterInput {
  id: bigint
  active: boolean
}

export async function adapterCount(s: Store): Promise<bigint> {
  return s.u(COUNT)
}

export async function adapterExists(s: Store, id: bigint): Promise<boolean> {
  return id > 0n && id <= (await s.u(COUNT))
}

export async function addAdapter(s: Store, a: AdapterInput): Promise<bigint> {
  const id = (await s.u(COUNT)) + 1n
  await s.setU(COUNT, id)
  const b = base(id)
  await s.setU(b + F.modelId, a.modelId)
  await s.setAddr(b + F.owner, a.owner)
  await s.setRaw(b + F.weightsHash, a.weightsHash)
  await s.setString(b + F.weightsURI, a.weightsURI)
  await s.setU(b + F.rank, BigInt(a.rank))
  await s.setString(b + F.targetModules, a.targetModules)
  await s.setU(b + F.price, a.pricePerKTokens)
  await s.setU(b + F.active, 1n)
  await s.setU(b + F.createdAt, a.createdAt)
  await s.push(byModel(a.modelId), id)
  return id
}

export async function readAdapter(s: Store, id: bigint): Promise<AdapterRecord | undefined> {
  if (!(await adapterExists(s, id))) return undefined
  const b = base(id)
  return {
    id,
    modelId: await s.u(b + F.modelId),
    owner: await s.addr(b + F.owner),
    weightsHash: await s.b32(b + F.weightsHash),
    weightsURI: await s.string(b + F.weightsURI),
    rank: Number(await s.u(b + F.rank)),
    targetModules: await s.string(b + F.targetModules),
    pricePerKTokens: await s.u(b + F.price),
    active: (await s.u(b + F.active)) === 1n,
    createdAt: await s.u(b + F.createdAt),
  }
}

export interface AdapterTerms {
  modelId: bigint
  owner: Address
  pricePerKTokens: bigint
  active: boolean
  deactivatedAt: bigint
  previousPrice: bigint
  priceSince: bigint
}

/** What settling a receipt needs: model, owner, prices and activity — seven slot reads. */
export async function adapterTerms(s: Store, id: bigint): Promise<AdapterTerms> {
  const b = base(id)
  return {
    modelId: await s.u(b + F.modelId),
    owner: await s.addr(b + F.owner),
    pricePerKTokens: await s.u(b + F.price),
    active: (await s.u(b + F.active)) === 1n,
    deactivatedAt: await s.u(b + F.deactivatedAt),
    previousPrice: await s.u(b + F.previousPrice),
    priceSince: await s.u(b + F.priceSince),
  }
}

/** The price a receipt issued at `t` pays. */
export function priceAt(a: AdapterTerms, t: bigint): bigint {
  return t >= a.priceSince ? a.pricePerKTokens : a.previousPrice
}

/** Whether the adapter was serving at `t`. */
export function activeAt(a: AdapterTerms, t: bigint): boolean {
  return a.active || t < a.deactivatedAt
}

export async function adapterOwner(s: Store, id: bigint): Promise<Address> {
  return s.addr(base(id) + F.owner)
}

export async function setPrice(s: Store, id: bigint, price: bigint, at: bigint): Promise<void> {
  const b = base(id)
  await s.setU(b + F.previousPrice, await s.u(b + F.price))
  await s.setU(b + F.priceSince, at)
  await s.setU(b + F.price, price)
}

export async function deactivate(s: Store, id: bigint, at: bigint): Promise<void> {
  const b = base(id)
  await s.setU(b + F.active, 0n)
  await s.setU(b + F.deactivatedAt, at)
}

export async function setOwner(s: Store, id: bigint, owner: Address): Promise<void> {
  await s.setAddr(base(id) + F.owner, owner)
}

export async function listAdapters(s: Store, model: bigint, cursor: bigint, limit: bigint): Promise<{ ids: bigint[]; next: bigint }> {
  const total = await s.length(byModel(model))
  if (cursor >= total) return { ids: [], next: 0n }
  const n = cursor + limit > total ? total - cursor : limit
  return { ids: await s.list(byModel(model), cursor, n), next: cursor + n < total ? cursor + n : 0n }
}
