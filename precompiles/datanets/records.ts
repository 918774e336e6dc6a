// Datanets, contributions and versions in the DatanetRegistry's storage. The same functions serve
// the precompile (metered), genesis seeding and JSON-RPC reads (unmetered).
//
// Layout, under keccak("opal.datanets") = N:
//   N+0 datanet count · N+1 contribution count
//   D = map(N+2, id): owner, name, schemaURI, schemaHash, minStake, sketchKind, sketchDim, licenseURI,
//       curators[], quorum, treasury, contributions, accepted, versions, createdAt,
//       contributionIds[], acceptedIds[], branch[32] (Merkle accumulator of accepted contributions),
//       flaggedIds[] (accepted contributions flagged later: no longer attribution candidates)
//   map(map(N+3, datanet), curator) → 1 · map(map(N+4, datanet), contentHash) → contribution id
//   C = map(N+5, id): datanetId, contributor, contentHash, sketch, metadataURI, stake, status,
//       acceptVotes, rejectVotes, flagVotes, submittedAt, decidedAt, withdrawn, lateFlags,
//       acceptIndex (1 + its position in the Datanet's accepted list, once accepted)
//   map(map(N+6, contribution), curator) → verdict · map(map(N+9, contribution), curator) → late flag
//   map(N+7, contributor) → contribution ids[] · map(map(N+8, datanet), n) → version root, count, time
import { Address } from '@ethereumjs/util'
import { Store, dataSlot, mapSlot, namespace, toBig, word } from '../framework/storage.ts'
import { leafOf } from './merkle.ts'
import * as merkle from './merkle.ts'

export const NS = namespace('opal.datanets')
const DATANET_COUNT = NS
const CONTRIBUTION_COUNT = NS + 1n

export const Status = { Pending: 0, Accepted: 1, Rejected: 2, Flagged: 3 } as const
export type Status = (typeof Status)[keyof typeof Status]
export const Verdict = { Accept: 1, Reject: 2, Flag: 3 } as const

const D = {
  owner: 0n, name: 1n, schemaURI: 2n, schemaHash: 3n, minStake: 4n, sketchKind: 5n, sketchDim: 6n, licenseURI: 7n,
  curators: 8n, quorum: 9n, treasury: 10n, contributions: 11n, accepted: 12n, versions: 13n, createdAt: 14n,
  contributionIds: 15n, acceptedIds: 16n, branch: 17n, flaggedIds: 49n,
} as const
const C = {
  datanetId: 0n, contributor: 1n, contentHash: 2n, sketch: 3n, metadataURI: 4n, stake: 5n, status: 6n, acceptVotes: 7n,
  rejectVotes: 8n, flagVotes: 9n, submittedAt: 10n, decidedAt: 11n, withdrawn: 12n, lateFlags: 13n, acceptIndex: 14n,
} as const

const datanetBase = (id: bigint) => mapSlot(NS + 2n, id)
const curatorSlot = (datanet: bigint, a: Address) => mapSlot(mapSlot(NS + 3n, datanet), a.bytes)
const contentSlot = (datanet: bigint, h: Uint8Array) => mapSlot(mapSlot(NS + 4n, datanet), h)
const contributionBase = (id: bigint) => mapSlot(NS + 5n, id)
const voteSlot = (c: bigint, a: Address) => mapSlot(mapSlot(NS + 6n, c), a.bytes)
const byContributorSlot = (a: Address) => mapSlot(NS + 7n, a.bytes)
const versionBase = (datanet: bigint, n: bigint) => mapSlot(mapSlot(NS + 8n, datanet), n)
const lateFlagSlot = (c: bigint, a: Address) => mapSlot(mapSlot(NS + 9n, c), a.bytes)

export interface DatanetInput {
  owner: Address
  name: string
  schemaURI: string
  schemaHash: Uint8Array
  minStake: bigint
  sketchKind: number
  sketchDim: number
  licenseURI: string
  curators: Address[]
  quorum: number
  createdAt: bigint
}

export interface DatanetRecord extends DatanetInput {
  id: bigint
  treasury: bigint
  contributions: bigint
  accepted: bigint
  versions: bigint
}

export interface ContributionRecord {
  id: bigint
  datanetId: bigint
  contributor: Address
  contentHash: Uint8Array
  sketch: Uint8Array
  metadataURI: string
  stake: bigint
  status: Status
  acceptVotes: number
  rejectVotes: number
  flagVotes: number
  submittedAt: bigint
  decidedAt: bigint
  withdrawn: boolean
}

export interface VersionRecord {
  datanetId: bigint
  number: bigint
  root: Uint8Array
  count: bigint
  publishedAt: bigint
}

export async function datanetCount(s: Store): Promise<bigint> {
  return s.u(DATANET_COUNT)
}

export async function contributionCount(s: Store): Promise<bigint> {
  return s.u(CONTRIBUTION_COUNT)
}

export async function createDatanet(s: Store, d: DatanetInput): Promise<bigint> {
  const id = (await s.u(DATANET_COUNT)) + 1n
  await s.setU(DATANET_COUNT, id)
  const b = datanetBase(id)
  await s.setAddr(b + D.owner, d.owner)
  await s.setString(b + D.name, d.name)
  await s.setString(b + D.schemaURI, d.schemaURI)
  await s.setRaw(b + D.schemaHash, d.schemaHash)
  await s.setU(b + D.minStake, d.minStake)
  await s.setU(b + D.sketchKind, BigInt(d.sketchKind))
  await s.setU(b + D.sketchDim, BigInt(d.sketchDim))
  await s.setString(b + D.licenseURI, d.licenseURI)
  for (const c of d.curators) {
    await s.push(b + D.curators, toBig(c.bytes))
    await s.setU(curatorSlot(id, c), 1n)
  }
  await s.setU(b + D.quorum, BigInt(d.quorum))
  await s.setU(b + D.createdAt, d.createdAt)
  return id
}

export async function datanetExists(s: Store, id: bigint): Promise<boolean> {
  return id > 0n && id <= (await s.u(DATANET_COUNT))
}

export async function readDatanet(s: Store, id: bigint): Promise<DatanetRecord | undefined> {
  if (!(await datanetExists(s, id))) return undefined
  const b = datanetBase(id)
  const curatorCount = await s.length(b + D.curators)
  const curators = (await s.list(b + D.curators, 0n, curatorCount)).map((x) => new Address(word(x).subarray(12)))
  return {
    id,
    owner: await s.addr(b + D.owner),
    name: await s.string(b + D.name),
    schemaURI: await s.string(b + D.schemaURI),
    schemaHash: await s.b32(b + D.schemaHash),
    minStake: await s.u(b + D.minStake),
    sketchKind: Number(await s.u(b + D.sketchKind)),
    sketchDim: Number(await s.u(b + D.sketchDim)),
    licenseURI: await s.string(b + D.licenseURI),
    curators,
    quorum: Number(await s.u(b + D.quorum)),
    treasury: await s.u(b + D.treasury),
    contributions: await s.u(b + D.contributions),
    accepted: await s.u(b + D.accepted),
    versions: await s.u(b + D.versions),
    createdAt: await s.u(b + D.createdAt),
  }
}

/** The few fields contribute() and review() need, without reading strings. */
export async function datanetRules(s: Store, id: bigint): Promise<{ owner: Address; minStake: bigint; sketchDim: number; quorum: number }> {
  const b = datanetBase(id)
  return { owner: await s.addr(b + D.owner), minStake: await s.u(b + D.minStake), sketchDim: Number(await s.u(b + D.sketchDim)), quorum: Number(await s.u(b + D.quorum)) }
}

export async function isCurator(s: Store, datanet: bigint, a: Address): Promise<boolean> {
  return (await s.u(curatorSlot(datanet, a))) === 1n
}

export async function contributionByContent(s: Store, datanet: bigint, contentHash: Uint8Array): Promise<bigint> {
  return s.u(contentSlot(datanet, contentHash))
}

export interface ContributionInput {
  datanetId: bigint
  contributor: Address
  contentHash: Uint8Array
  sketch: Uint8Array
  metadataURI: string
  stake: bigint
  submittedAt: bigint
}

export async function addContribution(s: Store, c: ContributionInput): Promise<bigint> {
  const id = (await s.u(CONTRIBUTION_COUNT)) + 1n
  await s.setU(CONTRIBUTION_COUNT, id)
  const b = contributionBase(id)
  await s.setU(b + C.datanetId, c.datanetId)
  await s.setAddr(b + C.contributor, c.contributor)
  await s.setRaw(b + C.contentHash, c.contentHash)
  await s.setBytes(b + C.sketch, c.sketch)
  await s.setString(b + C.metadataURI, c.metadataURI)
  await s.setU(b + C.stake, c.stake)
  await s.setU(b + C.submittedAt, c.submittedAt)
  await s.setU(contentSlot(c.datanetId, c.contentHash), id)
  const d = datanetBase(c.datanetId)
  await s.push(d + D.contributionIds, id)
  await s.setU(d + D.contributions, (await s.u(d + D.contributions)) + 1n)
  await s.push(byContributorSlot(c.contributor), id)
  return id
}

export async function contributionExists(s: Store, id: bigint): Promise<boolean> {
  return id > 0n && id <= (await s.u(CONTRIBUTION_COUNT))
}

export async function readContribution(s: Store, id: bigint): Promise<ContributionRecord | undefined> {
  if (!(await contributionExists(s, id))) return undefined
  const b = contributionBase(id)
  return {
    id,
    datanetId: await s.u(b + C.datanetId),
    contributor: await s.addr(b + C.contributor),
    contentHash: await s.b32(b + C.contentHash),
    sketch: await s.bytes(b + C.sketch),
    metadataURI: await s.string(b + C.metadataURI),
    stake: await s.u(b + C.stake),
    status: Number(await s.u(b + C.status)) as Status,
    acceptVotes: Number(await s.u(b + C.acceptVotes)),
    rejectVotes: Number(await s.u(b + C.rejectVotes)),
    flagVotes: Number(await s.u(b + C.flagVotes)),
    submittedAt: await s.u(b + C.submittedAt),
    decidedAt: await s.u(b + C.decidedAt),
    withdrawn: (await s.u(b + C.withdrawn)) === 1n,
  }
}

export interface ContributionState {
  datanetId: bigint
  contributor: Address
  contentHash: Uint8Array
  stake: bigint
  status: Status
  decidedAt: bigint
  withdrawn: boolean
}

/** The fields review() and withdrawStake() work on, without the sketch and strings. */
export async function contributionState(s: Store, id: bigint): Promise<ContributionState> {
  const b = contributionBase(id)
  return {
    datanetId: await s.u(b + C.datanetId),
    contributor: await s.addr(b + C.contributor),
    contentHash: await s.b32(b + C.contentHash),
    stake: await s.u(b + C.stake),
    status: Number(await s.u(b + C.status)) as Status,
    decidedAt: await s.u(b + C.decidedAt),
    withdrawn: (await s.u(b + C.withdrawn)) === 1n,
  }
}

export async function voteOf(s: Store, contribution: bigint, curator: Address, late: boolean): Promise<number> {
  return Number(await s.u(late ? lateFlagSlot(contribution, curator) : voteSlot(contribution, curator)))
}

/** Records a vote and returns the new counts (accept, reject, flag) or the late-flag count. */
export async function recordVote(s: Store, contribution: bigint, curator: Address, verdict: number, late: boolean): Promise<{ accept: number; reject: number; flag: number; late: number }> {
  const b = contributionBase(contribution)
  if (late) {
    await s.setU(lateFlagSlot(contribution, curator), BigInt(verdict))
    const n = (await s.u(b + C.lateFlags)) + 1n
    await s.setU(b + C.lateFlags, n)
    return { accept: 0, reject: 0, flag: 0, late: Number(n) }
  }
  await s.setU(voteSlot(contribution, curator), BigInt(verdict))
  const field = verdict === Verdict.Accept ? C.acceptVotes : verdict === Verdict.Reject ? C.rejectVotes : C.flagVotes
  await s.setU(b + field, (await s.u(b + field)) + 1n)
  return {
    accept: Number(await s.u(b + C.acceptVotes)),
    reject: Number(await s.u(b + C.rejectVotes)),
    flag: Number(await s.u(b + C.flagVotes)),
    late: 0,
  }
}

export async function setDecision(s: Store, contribution: bigint, status: Status, at: bigint): Promise<void> {
  const b = contributionBase(contribution)
  await s.setU(b + C.status, BigInt(status))
  await s.setU(b + C.decidedAt, at)
}

export async function setStake(s: Store, contribution: bigint, stake: bigint): Promise<void> {
  await s.setU(contributionBase(contribution) + C.stake, stake)
}

export async function markWithdrawn(s: Store, contribution: bigint): Promise<void> {
  await s.setU(contributionBase(contribution) + C.withdrawn, 1n)
}

export async function addToTreasury(s: Store, datanet: bigint, amount: bigint): Promise<bigint> {
  const slot = datanetBase(datanet) + D.treasury
  const t = (await s.u(slot)) + amount
  await s.setU(slot, t)
  return t
}

export async function treasury(s: Store, datanet: bigint): Promise<bigint> {
  return s.u(datanetBase(datanet) + D.treasury)
}

function branchOf(s: Store, datanet: bigint): merkle.Branch {
  const base = datanetBase(datanet) + D.branch
  return {
    get: (h) => s.b32(base + BigInt(h)),
    set: (h, node) => s.setRaw(base + BigInt(h), node),
  }
}

/** Appends an accepted contribution to its Datanet's accepted list and Merkle accumulator. */
export async function appendAccepted(s: Store, datanet: bigint, contribution: bigint, contentHash: Uint8Array, onHash?: () => void): Promise<void> {
  const d = datanetBase(datanet)
  const size = await s.u(d + D.accepted)
  await s.push(d + D.acceptedIds, contribution)
  await s.setU(contributionBase(contribution) + C.acceptIndex, size + 1n)
  await merkle.insert(branchOf(s, datanet), size, leafOf(contribution, contentHash), onHash)
  await s.setU(d + D.accepted, size + 1n)
}

export async function publishVersion(s: Store, datanet: bigint, at: bigint, onHash?: () => void): Promise<VersionRecord | undefined> {
  const d = datanetBase(datanet)
  const count = await s.u(d + D.accepted)
  const versions = await s.u(d + D.versions)
  if (count === 0n) return undefined
  if (versions > 0n && (await s.u(versionBase(datanet, versions) + 1n)) === count) return undefined
  const number = versions + 1n
  const root = await merkle.root(branchOf(s, datanet), count, onHash)
  const v = versionBase(datanet, number)
  await s.setRaw(v, root)
  await s.setU(v + 1n, count)
  await s.setU(v + 2n, at)
  await s.setU(d + D.versions, number)
  return { datanetId: datanet, number, root, count, publishedAt: at }
}

export async function readVersion(s: Store, datanet: bigint, number: bigint): Promise<VersionRecord | undefined> {
  if (number === 0n || !(await datanetExists(s, datanet)) || number > (await s.u(datanetBase(datanet) + D.versions))) return undefined
  const v = versionBase(datanet, number)
  return { datanetId: datanet, number, root: await s.b32(v), count: await s.u(v + 1n), publishedAt: await s.u(v + 2n) }
}

/** Position of an accepted contribution in its Datanet's accepted list. */
export async function acceptIndexOf(s: Store, contribution: bigint): Promise<bigint | undefined> {
  const v = await s.u(contributionBase(contribution) + C.acceptIndex)
  return v === 0n ? undefined : v - 1n
}

/** Records that an accepted contribution has been flagged since: it stops being a candidate. */
export async function appendFlagged(s: Store, datanet: bigint, contribution: bigint): Promise<void> {
  await s.push(datanetBase(datanet) + D.flaggedIds, contribution)
}

/** Accepted contributions of the Datanet flagged later, in the order they were flagged. */
export async function flaggedIds(s: Store, datanet: bigint): Promise<bigint[]> {
  const slot = datanetBase(datanet) + D.flaggedIds
  return s.list(slot, 0n, await s.length(slot))
}

/**
 * The contributor and sketch of a contribution (what attribution reads of a candidate), knowing
 * the sketch's size: every slot is read at once.
 */
export async function contributionSketch(s: Store, id: bigint, dim: number): Promise<{ contributor: Address; sketch: Uint8Array }> {
  const b = contributionBase(id)
  if (dim <= 31) return { contributor: await s.addr(b + C.contributor), sketch: await s.bytes(b + C.sketch) }
  const start = dataSlot(b + C.sketch)
  const chunks = Array.from({ length: Math.ceil(dim / 32) }, (_, i) => s.raw(start + BigInt(i)))
  const [contributor, ...parts] = await Promise.all([s.addr(b + C.contributor), ...chunks])
  const sketch = new Uint8Array(dim)
  parts.forEach((p, i) => sketch.set(p.subarray(0, Math.min(32, dim - i * 32)), i * 32))
  return { contributor, sketch }
}

/** The rules attribution needs of a Datanet: its sketch dimension and how many versions it has. */
export async function datanetSketchDim(s: Store, id: bigint): Promise<number> {
  return Number(await s.u(datanetBase(id) + D.sketchDim))
}

export async function versionCount(s: Store, id: bigint): Promise<bigint> {
  return s.u(datanetBase(id) + D.versions)
}

/** Every version of a Datanet with its contribution count, oldest first. */
export async function versionList(s: Store, datanet: bigint): Promise<Array<{ version: bigint; count: bigint }>> {
  const list: Array<{ version: bigint; count: bigint }> = []
  const n = await versionCount(s, datanet)
  // only the count of each: one slot, not the whole version record
  for (let v = 1n; v <= n; v++) list.push({ version: v, count: await s.u(versionBase(datanet, v) + 1n) })
  return list
}

/** Accepted contribution ids of a Datanet in acceptance order, [from, from + count), read at once. */
export async function acceptedIds(s: Store, datanet: bigint, from: bigint, count: bigint): Promise<bigint[]> {
  const start = dataSlot(datanetBase(datanet) + D.acceptedIds) + from
  return s.many(Array.from({ length: Number(count) }, (_, i) => start + BigInt(i)))
}

export interface Page {
  ids: bigint[]
  next: bigint
}

async function page(s: Store, listSlot: bigint, cursor: bigint, limit: bigint): Promise<Page> {
  const total = await s.length(listSlot)
  if (cursor >= total) return { ids: [], next: 0n }
  const n = cursor + limit > total ? total - cursor : limit
  return { ids: await s.list(listSlot, cursor, n), next: cursor + n < total ? cursor + n : 0n }
}

export const contributionsOf = (s: Store, a: Address, cursor: bigint, limit: bigint) => page(s, byContributorSlot(a), cursor, limit)
export const listContributions = (s: Store, datanet: bigint, cursor: bigint, limit: bigint) => page(s, datanetBase(datanet) + D.contributionIds, cursor, limit)

export async function listDatanets(s: Store, cursor: bigint, limit: bigint): Promise<Page> {
  const total = await s.u(DATANET_COUNT)
  const ids: bigint[] = []
  for (let id = cursor + 1n; id <= total && BigInt(ids.length) < limit; id++) ids.push(id)
  const last = ids.length > 0 ? ids[ids.length - 1] : cursor
  return { ids, next: last < total ? last : 0n }
}
