// Scoring graphs and per-model attribution settings in the Attribution precompile's storage.
//
// Layout, under keccak("opal.attribution") = T:
//   map(T+1, graphId): size, registrant, registeredAt   (the bytes are kept by the node, by hash)
//   map(T+2, model) → k | mode << 16   (0: the genesis defaults)
import type { Address } from '@ethereumjs/util'
import { Store, mapSlot, namespace } from '../framework/storage.ts'

export const NS = namespace('opal.attribution')
const graphBase = (id: Uint8Array) => mapSlot(NS + 1n, id)
const modelSlot = (model: bigint) => mapSlot(NS + 2n, model)

export const Mode = { Auto: 0, Exact: 1, Indexed: 2 } as const
export type Mode = (typeof Mode)[keyof typeof Mode]

export interface GraphRecord {
  size: bigint
  registrant: Address
  registeredAt: bigint
}

export async function readGraph(s: Store, id: Uint8Array): Promise<GraphRecord | undefined> {
  const b = graphBase(id)
  const size = await s.u(b)
  if (size === 0n) return undefined
  return { size, registrant: await s.addr(b + 1n), registeredAt: await s.u(b + 2n) }
}

export async function graphRegistered(s: Store, id: Uint8Array): Promise<boolean> {
  return (await s.u(graphBase(id))) !== 0n
}

export async function writeGraph(s: Store, id: Uint8Array, g: GraphRecord): Promise<void> {
  const b = graphBase(id)
  await s.setU(b, g.size)
  await s.setAddr(b + 1n, g.registrant)
  await s.setU(b + 2n, g.registeredAt)
}

export interface ModelSettings {
  /** 0: the genesis k */
  k: number
  mode: Mode
}

export async function modelSettings(s: Store, model: bigint): Promise<ModelSettings> {
  const w = await s.u(modelSlot(model))
  return { k: Number(w & 0xffffn), mode: Number((w >> 16n) & 0xffn) as Mode }
}

export async function setModelSettings(s: Store, model: bigint, m: ModelSettings): Promise<void> {
  await s.setU(modelSlot(model), BigInt(m.k) | (BigInt(m.mode) << 16n))
}
