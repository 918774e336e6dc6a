// Models in the ModelRegistry's storage.
//
// Layout, under keccak("opal.models") = M:
//   M+0 model count
//   map(M+1, id): owner, baseModel, name, versions[] (datanetId << 64 | version), trainingRunHash,
//                 scoringGraphId, createdAt, evals
//   map(map(M+2, model), publisher) → 1
//   map(map(M+3, model), benchmark): metric, value, delta, recordedAt, recorded
//   map(map(map(M+4, datanet), version), benchmark) → sum of eval deltas of models citing it
import { Address } from '@ethereumjs/util'
import { Store, mapSlot, namespace, word } from '../framework/storage.ts'

export const NS = namespace('opal.models')
const COUNT = NS
const F = { owner: 0n, baseModel: 1n, name: 2n, versions: 3n, trainingRunHash: 4n, scoringGraphId: 5n, createdAt: 6n, evals: 7n } as const
const base = (id: bigint) => mapSlot(NS + 1n, id)
const publisherSlot = (model: bigint, a: Address) => mapSlot(mapSlot(NS + 2n, model), a.bytes)
const evalBase = (model: bigint, benchmark: Uint8Array) => mapSlot(mapSlot(NS + 3n, model), benchmark)
const deltaSlot = (datanet: bigint, version: bigint, benchmark: Uint8Array) => mapSlot(mapSlot(mapSlot(NS + 4n, datanet), version), benchmark)

const INT_MOD = 1n << 256n
const toSigned = (u: bigint) => (u >= 1n << 255n ? u - INT_MOD : u)
const toUnsigned = (i: bigint) => (i < 0n ? i + INT_MOD : i)

export interface DatanetVersionRef {
  datanetId: bigint
  version: bigint
}

export interface ModelInput {
  owner: Address
  baseModel: string
  name: string
  datanetVersions: DatanetVersionRef[]
  trainingRunHash: Uint8Array
  scoringGraphId: Uint8Array
  createdAt: bigint
}

export interface ModelRecord extends ModelInput {
  id: bigint
  evals: bigint
}

export interface EvalRecord {
  benchmarkId: Uint8Array
  metric: Uint8Array
  value: bigint
  delta: bigint
  recordedAt: bigint
}

export async function modelCount(s: Store): Promise<bigint> {
  return s.u(COUNT)
}

export async function modelExists(s: Store, id: bigint): Promise<boolean> {
  return id > 0n && id <= (await s.u(COUNT))
}

export async function addModel(s: Store, m: ModelInput): Promise<bigint> {
  const id = (await s.u(COUNT)) + 1n
  await s.setU(COUNT, id)
  const b = base(id)
  await s.setAddr(b + F.owner, m.owner)
  await s.setString(b + F.baseModel, m.baseModel)
  await s.setString(b + F.name, m.name)
  for (const v of m.datanetVersions) await s.push(b + F.versions, (v.datanetId << 64n) | v.version)
  await s.setRaw(b + F.trainingRunHash, m.trainingRunHash)
  await s.setRaw(b + F.scoringGraphId, m.scoringGraphId)
  await s.setU(b + F.createdAt, m.createdAt)
  return id
}

export async function modelOwner(s: Store, id: bigint): Promise<Address> {
  return s.addr(base(id) + F.owner)
}

export async function modelVersions(s: Store, id: bigint): Promise<DatanetVersionRef[]> {
  const b = base(id)
  const n = await s.length(b + F.versions)
  return (await s.list(b + F.versions, 0n, n)).map((x) => ({ datanetId: x >> 64n, version: x & ((1n << 64n) - 1n) }))
}

export async function readModel(s: Store, id: bigint): Promise<ModelRecord | undefined> {
  if (!(await modelExists(s, id))) return undefined
  const b = base(id)
  return {
    id,
    owner: await s.addr(b + F.owner),
    baseModel: await s.string(b + F.baseModel),
    name: await s.string(b + F.name),
    datanetVersions: await modelVersions(s, id),
    trainingRunHash: await s.b32(b + F.trainingRunHash),
    scoringGraphId: await s.b32(b + F.scoringGraphId),
    createdAt: await s.u(b + F.createdAt),
    evals: await s.u(b + F.evals),
  }
}

/** The fields attribution needs, without the strings. */
export async function readModelHead(s: Store, id: bigint): Promise<{ owner: Address; datanetVersions: DatanetVersionRef[]; scoringGraphId: Uint8Array }> {
  const b = base(id)
  return { owner: await s.addr(b + F.owner), datanetVersions: await modelVersions(s, id), scoringGraphId: await s.b32(b + F.scoringGraphId) }
}

export async function isPublisher(s: Store, model: bigint, a: Address): Promise<boolean> {
  return (await s.u(publisherSlot(model, a))) === 1n
}

export async function setPublisher(s: Store, model: bigint, a: Address, approved: boolean): Promise<void> {
  await s.setU(publisherSlot(model, a), approved ? 1n : 0n)
}

/** Stores the value, and credits its change since the last recording to every cited version. */
export async function recordEval(s: Store, model: bigint, benchmark: Uint8Array, metric: Uint8Array, value: bigint, at: bigint): Promise<bigint> {
  const e = evalBase(model, benchmark)
  const recorded = (await s.u(e + 4n)) === 1n
  const delta = recorded ? value - toSigned(await s.u(e + 1n)) : value
  await s.setRaw(e, metric)
  await s.setU(e + 1n, toUnsigned(value))
  await s.setU(e + 2n, toUnsigned(delta))
  await s.setU(e + 3n, at)
  if (!recorded) {
    await s.setU(e + 4n, 1n)
    const b = base(model)
    await s.setU(b + F.evals, (await s.u(b + F.evals)) + 1n)
  }
  for (const v of await modelVersions(s, model)) {
    const slot = deltaSlot(v.datanetId, v.version, benchmark)
    await s.setU(slot, toUnsigned(toSigned(await s.u(slot)) + delta))
  }
  return delta
}

export async function readEval(s: Store, model: bigint, benchmark: Uint8Array): Promise<EvalRecord | undefined> {
  const e = evalBase(model, benchmark)
  if ((await s.u(e + 4n)) !== 1n) return undefined
  return { benchmarkId: benchmark, metric: await s.b32(e), value: toSigned(await s.u(e + 1n)), delta: toSigned(await s.u(e + 2n)), recordedAt: await s.u(e + 3n) }
}

export async function versionEvalDelta(s: Store, datanet: bigint, version: bigint, benchmark: Uint8Array): Promise<bigint> {
  return toSigned(await s.u(deltaSlot(datanet, version, benchmark)))
}

export async function listModels(s: Store, cursor: bigint, limit: bigint): Promise<{ ids: bigint[]; next: bigint }> {
  const total = await s.u(COUNT)
  const ids: bigint[] = []
  for (let id = cursor + 1n; id <= total && BigInt(ids.length) < limit; id++) ids.push(id)
  const last = ids.length > 0 ? ids[ids.length - 1] : cursor
  return { ids, next: last < total ? last : 0n }
}

export const addressOfWord = (x: bigint) => new Address(word(x).subarray(12))
