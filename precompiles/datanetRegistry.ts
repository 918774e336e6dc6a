// The DatanetRegistry precompile: community datasets, staked contributions, curation by quorum,
// slashing, stake withdrawal and versions. Records live in datanets/records.ts.
import type { Address } from '@ethereumjs/util'
import type { Abi } from 'viem'
import abiJson from './abi/DatanetRegistry.json' with { type: 'json' }
import { definePrecompile } from './framework/precompile.ts'
import type { CallContext, MethodSpec } from './framework/precompile.ts'
import { Revert } from './framework/revert.ts'
import type { Store } from './framework/storage.ts'
import * as R from './datanets/records.ts'
import { Status, Verdict } from './datanets/records.ts'
import type { PrecompileSettings } from './settings.ts'
import { bytes, hex } from './framework/hex.ts'

export const DATANET_ABI = abiJson as Abi
export const MAX_PAGE = 1000n
const MAX_NAME = 128
const MAX_URI = 512
const MAX_CURATORS = 32

interface RulesArg {
  minStake: bigint
  sketchKind: number
  sketchDim: number
  licenseURI: string
  curators: readonly `0x${string}`[]
  quorum: number
}

const hashGas = (ctx: CallContext) => () => ctx.meter.charge(ctx.meter.gas.hash + 2n * ctx.meter.gas.hashWord)

export function datanetJson(d: R.DatanetRecord) {
  return {
    id: d.id, owner: d.owner.toString(), name: d.name, schemaURI: d.schemaURI, schemaHash: hex(d.schemaHash), minStake: d.minStake,
    sketchKind: d.sketchKind, sketchDim: d.sketchDim, licenseURI: d.licenseURI, curators: d.curators.map((c) => c.toString()), quorum: d.quorum,
    treasury: d.treasury, contributions: d.contributions, accepted: d.accepted, versions: d.versions, createdAt: d.createdAt,
  }
}

export function contributionJson(c: R.ContributionRecord) {
  return {
    id: c.id, datanetId: c.datanetId, contributor: c.contributor.toString(), contentHash: hex(c.contentHash), sketch: hex(c.sketch),
    metadataURI: c.metadataURI, stake: c.stake, status: c.status, acceptVotes: c.acceptVotes, rejectVotes: c.rejectVotes,
    flagVotes: c.flagVotes, submittedAt: c.submittedAt, decidedAt: c.decidedAt, withdrawn: c.withdrawn,
  }
}

export function versionJson(v: R.VersionRecord) {
  return { datanetId: v.datanetId, number: v.number, root: hex(v.root), count: v.count, publishedAt: v.publishedAt }
}

/** Checks the rules of a new Datanet; returns the reason they are refused, if they are. */
export function rulesProblem(name: string, schemaURI: string, r: { sketchKind: number; sketchDim: number; licenseURI: string; curators: Address[]; quorum: number }): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME) return `name must be 1–${MAX_NAME} bytes`
  if (schemaURI.length > MAX_URI || r.licenseURI.length > MAX_URI) return `URIs are at most ${MAX_URI} bytes`
  if (r.sketchKind !== 1) return 'sketchKind must be 1 (int8 vector)'
  if (r.sketchDim < 16 || r.sketchDim > 1024) return 'sketchDim must be 16–1024'
  if (r.curators.length === 0 || r.curators.length > MAX_CURATORS) return `1–${MAX_CURATORS} curators`
  if (new Set(r.curators.map((c) => c.toString())).size !== r.curators.length) return 'curators must be distinct'
  if (r.curators.some((c) => c.isZero())) return 'the zero address cannot curate'
  if (r.quorum < 1 || r.quorum > r.curators.length) return 'quorum must be between 1 and the number of curators'
  return undefined
}

async function requireDatanet(s: Store, id: bigint): Promise<void> {
  if (!(await R.datanetExists(s, id))) throw new Revert('DatanetNotFound', id)
}

async function requireContribution(s: Store, id: bigint): Promise<void> {
  if (!(await R.contributionExists(s, id))) throw new Revert('ContributionNotFound', id)
}

function limitOf(limit: bigint): bigint {
  return limit === 0n || limit > MAX_PAGE ? MAX_PAGE : limit
}

export function datanetMethods(settings: PrecompileSettings, toAddress: (a: `0x${string}`) => Address): Record<string, MethodSpec> {
  return {
    createDatanet: {
      kind: 'write',
      async handler(ctx, [name, schemaURI, schemaHash, rules]) {
        const r = rules as RulesArg
        const curators = r.curators.map(toAddress)
        const problem = rulesProblem(name as string, schemaURI as string, { ...r, curators })
        if (problem !== undefined) throw new Revert('InvalidRules', problem)
        const id = await R.createDatanet(ctx.store, {
          owner: ctx.frame.caller, name: name as string, schemaURI: schemaURI as string, schemaHash: bytes(schemaHash as `0x${string}`),
          minStake: r.minStake, sketchKind: r.sketchKind, sketchDim: r.sketchDim, licenseURI: r.licenseURI, curators, quorum: r.quorum, createdAt: ctx.block.timestamp,
        })
        ctx.emit('DatanetCreated', { datanetId: id, owner: ctx.frame.caller.toString(), name })
        return id
      },
    },
    contribute: {
      kind: 'payable',
      async handler(ctx, [datanetId, contentHash, sketch, metadataURI]) {
        const id = datanetId as bigint
        const s = ctx.store
        await requireDatanet(s, id)
        const rules = await R.datanetRules(s, id)
        const sketchBytes = bytes(sketch as `0x${string}`)
        if (sketchBytes.length !== rules.sketchDim) throw new Revert('WrongSketchSize', rules.sketchDim, BigInt(sketchBytes.length))
        if (ctx.frame.value < rules.minStake) throw new Revert('StakeTooLow', rules.minStake, ctx.frame.value)
        const hash = bytes(contentHash as `0x${string}`)
        const existing = await R.contributionByContent(s, id, hash)
        if (existing !== 0n) throw new Revert('DuplicateContent', id, contentHash, existing)
        if ((metadataURI as string).length > MAX_URI) throw new Revert('MalformedInput')
        const cid = await R.addContribution(s, {
          datanetId: id, contributor: ctx.frame.caller, contentHash: hash, sketch: sketchBytes, metadataURI: metadataURI as string,
          stake: ctx.frame.value, submittedAt: ctx.block.timestamp,
        })
        ctx.emit('ContributionSubmitted', { datanetId: id, contributionId: cid, contributor: ctx.frame.caller.toString(), contentHash, stake: ctx.frame.value })
        return cid
      },
    },
    review: {
      kind: 'write',
      async handler(ctx, [contributionId, verdict, reasonHash]) {
        const cid = contributionId as bigint
        const v = verdict as number
        const s = ctx.store
        await requireContribution(s, cid)
        if (v !== Verdict.Accept && v !== Verdict.Reject && v !== Verdict.Flag) throw new Revert('InvalidVerdict', v)
        const c = await R.contributionState(s, cid)
        if (!(await R.isCurator(s, c.datanetId, ctx.frame.caller))) throw new Revert('NotCurator', ctx.frame.caller.toString())
        const { quorum } = await R.datanetRules(s, c.datanetId)
        const late = c.status === Status.Accepted
        if (late && v !== Verdict.Flag) throw new Revert('AlreadyDecided', cid, c.status)
        if (c.status === Status.Rejected || c.status === Status.Flagged) throw new Revert('AlreadyDecided', cid, c.status)
        if ((await R.voteOf(s, cid, ctx.frame.caller, late)) !== 0) throw new Revert('AlreadyReviewed', cid, ctx.frame.caller.toString())
        const votes = await R.recordVote(s, cid, ctx.frame.caller, v, late)
        ctx.emit('ContributionReviewed', { contributionId: cid, curator: ctx.frame.caller.toString(), verdict: v, reasonHash })
        const now = ctx.block.timestamp
        if (late) {
          if (votes.late >= quorum) {
            await slash(ctx, cid, c, Status.Flagged, c.withdrawn ? 0n : c.stake, now)
            await R.appendFlagged(s, c.datanetId, cid)
          }
        } else if (votes.accept >= quorum) {
          await R.setDecision(s, cid, Status.Accepted, now)
          await R.appendAccepted(s, c.datanetId, cid, c.contentHash, hashGas(ctx))
          ctx.emit('ContributionDecided', { datanetId: c.datanetId, contributionId: cid, status: Status.Accepted, slashed: 0n })
        } else if (votes.reject + votes.flag >= quorum) {
          // the slashing rule: flagged (spam, malicious) loses all its stake, rejected loses half
          const flagged = votes.flag > votes.reject
          await slash(ctx, cid, c, flagged ? Status.Flagged : Status.Rejected, flagged ? c.stake : c.stake / 2n, now)
        }
      },
    },
    withdrawStake: {
      kind: 'write',
      async handler(ctx, [contributionId]) {
        const cid = contributionId as bigint
        const s = ctx.store
        await requireContribution(s, cid)
        const c = await R.contributionState(s, cid)
        if (!c.contributor.equals(ctx.frame.caller)) throw new Revert('NotOwner', ctx.frame.caller.toString())
        const availableAt = c.status === Status.Accepted ? c.decidedAt + settings.withdrawDelay : c.decidedAt
        const withdrawable = (c.status === Status.Accepted || c.status === Status.Rejected) && !c.withdrawn && c.stake > 0n
        if (!withdrawable) throw new Revert('NotWithdrawable', cid, 0n)
        if (ctx.block.timestamp < availableAt) throw new Revert('NotWithdrawable', cid, availableAt)
        await R.markWithdrawn(s, cid)
        await ctx.pay(c.contributor, c.stake)
        ctx.emit('StakeWithdrawn', { contributionId: cid, contributor: c.contributor.toString(), amount: c.stake })
      },
    },
    publishVersion: {
      kind: 'write',
      async handler(ctx, [datanetId]) {
        const id = datanetId as bigint
        const s = ctx.store
        await requireDatanet(s, id)
        const { owner } = await R.datanetRules(s, id)
        if (!owner.equals(ctx.frame.caller) && !(await R.isCurator(s, id, ctx.frame.caller))) throw new Revert('NotCurator', ctx.frame.caller.toString())
        const v = await R.publishVersion(s, id, ctx.block.timestamp, hashGas(ctx))
        if (v === undefined) throw new Revert('NothingToPublish', id)
        ctx.emit('VersionPublished', { datanetId: id, version: v.number, root: hex(v.root), count: v.count })
        return v.number
      },
    },
    withdrawTreasury: {
      kind: 'write',
      async handler(ctx, [datanetId, to, amount]) {
        const id = datanetId as bigint
        const s = ctx.store
        await requireDatanet(s, id)
        const { owner } = await R.datanetRules(s, id)
        if (!owner.equals(ctx.frame.caller)) throw new Revert('NotOwner', ctx.frame.caller.toString())
        const available = await R.treasury(s, id)
        if ((amount as bigint) > available) throw new Revert('InsufficientTreasury', available, amount)
        await R.addToTreasury(s, id, -(amount as bigint))
        await ctx.pay(toAddress(to as `0x${string}`), amount as bigint)
        ctx.emit('TreasuryWithdrawn', { datanetId: id, to, amount })
      },
    },
    getDatanet: {
      kind: 'view',
      async handler(ctx, [datanetId]) {
        const d = await R.readDatanet(ctx.store, datanetId as bigint)
        if (d === undefined) throw new Revert('DatanetNotFound', datanetId)
        return datanetJson(d)
      },
    },
    getContribution: {
      kind: 'view',
      async handler(ctx, [contributionId]) {
        const c = await R.readContribution(ctx.store, contributionId as bigint)
        if (c === undefined) throw new Revert('ContributionNotFound', contributionId)
        return contributionJson(c)
      },
    },
    getVersion: {
      kind: 'view',
      async handler(ctx, [datanetId, version]) {
        const v = await R.readVersion(ctx.store, datanetId as bigint, version as bigint)
        if (v === undefined) throw new Revert('VersionNotFound', datanetId, version)
        return versionJson(v)
      },
    },
    contributionsOf: {
      kind: 'view',
      async handler(ctx, [contributor, cursor, limit]) {
        const p = await R.contributionsOf(ctx.store, toAddress(contributor as `0x${string}`), cursor as bigint, limitOf(limit as bigint))
        return [p.ids, p.next]
      },
    },
    listContributions: {
      kind: 'view',
      async handler(ctx, [datanetId, cursor, limit]) {
        await requireDatanet(ctx.store, datanetId as bigint)
        const p = await R.listContributions(ctx.store, datanetId as bigint, cursor as bigint, limitOf(limit as bigint))
        return [p.ids, p.next]
      },
    },
    listDatanets: {
      kind: 'view',
      async handler(ctx, [cursor, limit]) {
        const p = await R.listDatanets(ctx.store, cursor as bigint, limitOf(limit as bigint))
        return [p.ids, p.next]
      },
    },
    datanetCount: {
      kind: 'view',
      handler: async (ctx) => R.datanetCount(ctx.store),
    },
  }
}

async function slash(ctx: CallContext, cid: bigint, c: R.ContributionState, status: Status, amount: bigint, now: bigint): Promise<void> {
  await R.setDecision(ctx.store, cid, status, now)
  if (amount > 0n) {
    await R.addToTreasury(ctx.store, c.datanetId, amount)
    await R.setStake(ctx.store, cid, c.stake - amount)
  }
  ctx.emit('ContributionDecided', { datanetId: c.datanetId, contributionId: cid, status, slashed: amount })
}

export function createDatanetRegistry(settings: PrecompileSettings, toAddress: (a: `0x${string}`) => Address) {
  return definePrecompile({
    name: 'DatanetRegistry',
    address: settings.addresses.datanets,
    abi: DATANET_ABI,
    activation: settings.activation.datanets, gas: settings.gas,
    methods: datanetMethods(settings, toAddress),
  })
}
