// The ModelRegistry precompile: models with the Datanet versions they cite, evaluations, and the
// publishers a model's owner lets register adapters. Records live in models/records.ts.
import type { Address } from '@ethereumjs/util'
import type { Abi } from 'viem'
import abiJson from './abi/ModelRegistry.json' with { type: 'json' }
import { definePrecompile } from './framework/precompile.ts'
import type { MethodSpec } from './framework/precompile.ts'
import { Revert } from './framework/revert.ts'
import type { Store } from './framework/storage.ts'
import * as T from './attribution/records.ts'
import * as D from './datanets/records.ts'
import * as M from './models/records.ts'
import type { PrecompileSettings } from './settings.ts'
import { bytes, hex } from './framework/hex.ts'

export const MODEL_ABI = abiJson as Abi
export const MAX_VERSIONS = 64
const MAX_PAGE = 1000n

export function modelJson(m: M.ModelRecord) {
  return {
    id: m.id, owner: m.owner.toString(), baseModel: m.baseModel, name: m.name,
    datanetVersions: m.datanetVersions.map((v) => ({ datanetId: v.datanetId, version: v.version })),
    trainingRunHash: hex(m.trainingRunHash), scoringGraphId: hex(m.scoringGraphId), createdAt: m.createdAt, evals: m.evals,
  }
}

/** Every cited version must exist in the DatanetRegistry; returns the first that does not. */
export async function missingVersion(datanets: Store, versions: M.DatanetVersionRef[]): Promise<M.DatanetVersionRef | undefined> {
  for (const v of versions) if ((await D.readVersion(datanets, v.datanetId, v.version)) === undefined) return v
  return undefined
}

export function modelMethods(settings: PrecompileSettings, toAddress: (a: `0x${string}`) => Address): Record<string, MethodSpec> {
  const requireModel = async (s: Store, id: bigint) => {
    if (!(await M.modelExists(s, id))) throw new Revert('ModelNotFound', id)
  }
  return {
    registerModel: {
      kind: 'write',
      async handler(ctx, [baseModel, name, datanetVersions, trainingRunHash, scoringGraphId]) {
        const versions = (datanetVersions as Array<{ datanetId: bigint; version: bigint }>).map((v) => ({ datanetId: v.datanetId, version: BigInt(v.version) }))
        if (versions.length > MAX_VERSIONS) throw new Revert('TooManyVersions', BigInt(versions.length), BigInt(MAX_VERSIONS))
        const missing = await missingVersion(ctx.store.at(settings.addresses.datanets), versions)
        if (missing !== undefined) throw new Revert('UnknownDatanetVersion', missing.datanetId, missing.version)
        const graph = bytes(scoringGraphId as `0x${string}`)
        if (graph.some((b) => b !== 0) && !(await T.graphRegistered(ctx.store.at(settings.addresses.attribution), graph))) throw new Revert('UnknownScoringGraph', scoringGraphId)
        const id = await M.addModel(ctx.store, {
          owner: ctx.frame.caller, baseModel: baseModel as string, name: name as string, datanetVersions: versions,
          trainingRunHash: bytes(trainingRunHash as `0x${string}`), scoringGraphId: graph, createdAt: ctx.block.timestamp,
        })
        ctx.emit('ModelRegistered', { modelId: id, owner: ctx.frame.caller.toString(), name, trainingRunHash })
        return id
      },
    },
    recordEval: {
      kind: 'write',
      async handler(ctx, [modelId, benchmarkId, metric, value]) {
        const id = modelId as bigint
        await requireModel(ctx.store, id)
        if (!(await M.modelOwner(ctx.store, id)).equals(ctx.frame.caller)) throw new Revert('NotModelOwner', ctx.frame.caller.toString())
        const delta = await M.recordEval(ctx.store, id, bytes(benchmarkId as `0x${string}`), bytes(metric as `0x${string}`), value as bigint, ctx.block.timestamp)
        ctx.emit('EvalRecorded', { modelId: id, benchmarkId, metric, value, delta })
      },
    },
    approvePublisher: {
      kind: 'write',
      async handler(ctx, [modelId, publisher, approved]) {
        const id = modelId as bigint
        await requireModel(ctx.store, id)
        if (!(await M.modelOwner(ctx.store, id)).equals(ctx.frame.caller)) throw new Revert('NotModelOwner', ctx.frame.caller.toString())
        await M.setPublisher(ctx.store, id, toAddress(publisher as `0x${string}`), approved as boolean)
        ctx.emit('PublisherApproved', { modelId: id, publisher, approved })
      },
    },
    getModel: {
      kind: 'view',
      async handler(ctx, [modelId]) {
        const m = await M.readModel(ctx.store, modelId as bigint)
        if (m === undefined) throw new Revert('ModelNotFound', modelId)
        return modelJson(m)
      },
    },
    getEval: {
      kind: 'view',
      async handler(ctx, [modelId, benchmarkId]) {
        await requireModel(ctx.store, modelId as bigint)
        const e = await M.readEval(ctx.store, modelId as bigint, bytes(benchmarkId as `0x${string}`))
        return e === undefined
          ? { benchmarkId, metric: hex(new Uint8Array(32)), value: 0n, delta: 0n, recordedAt: 0n }
          : { benchmarkId, metric: hex(e.metric), value: e.value, delta: e.delta, recordedAt: e.recordedAt }
      },
    },
    versionEvalDelta: {
      kind: 'view',
      handler: async (ctx, [datanetId, version, benchmarkId]) => M.versionEvalDelta(ctx.store, datanetId as bigint, BigInt(version as bigint), bytes(benchmarkId as `0x${string}`)),
    },
    isPublisher: {
      kind: 'view',
      handler: async (ctx, [modelId, publisher]) => M.isPublisher(ctx.store, modelId as bigint, toAddress(publisher as `0x${string}`)),
    },
    listModels: {
      kind: 'view',
      async handler(ctx, [cursor, limit]) {
        const p = await M.listModels(ctx.store, cursor as bigint, (limit as bigint) === 0n || (limit as bigint) > MAX_PAGE ? MAX_PAGE : (limit as bigint))
        return [p.ids, p.next]
      },
    },
    modelCount: { kind: 'view', handler: async (ctx) => M.modelCount(ctx.store) },
  }
}

export function createModelRegistry(settings: PrecompileSettings, toAddress: (a: `0x${string}`) => Address) {
  return definePrecompile({ name: 'ModelRegistry', address: settings.addresses.models, abi: MODEL_ABI, activation: settings.activation.models, gas: settings.gas, methods: modelMethods(settings, toAddress) })
}
