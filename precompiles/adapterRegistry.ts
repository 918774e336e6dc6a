// The AdapterRegistry precompile (OpenLoRA): adapters of registered models with their prices.
// Registration by the model's owner or an approved publisher; price, deactivation and transfer by
// the adapter's owner; constant-time lookups by id. Records live in adapters/records.ts.
import type { Address } from '@ethereumjs/util'
import type { Abi } from 'viem'
import abiJson from './abi/AdapterRegistry.json' with { type: 'json' }
import { definePrecompile } from './framework/precompile.ts'
import type { MethodSpec } from './framework/precompile.ts'
import { Revert } from './framework/revert.ts'
import type { Store } from './framework/storage.ts'
import * as A from './adapters/records.ts'
import * as M from './models/records.ts'
import type { PrecompileSettings } from './settings.ts'
import { bytes, hex } from './framework/hex.ts'

export const ADAPTER_ABI = abiJson as Abi
export const MAX_BATCH = 1000
const MAX_URI = 512
const MAX_PAGE = 1000n

export function adapterJson(a: A.AdapterRecord) {
  return {
    id: a.id, modelId: a.modelId, owner: a.owner.toString(), weightsHash: hex(a.weightsHash), weightsURI: a.weightsURI, rank: a.rank,
    targetModules: a.targetModules, pricePerKTokens: a.pricePerKTokens, active: a.active, createdAt: a.createdAt,
  }
}

export function adapterProblem(a: { rank: number; weightsURI: string; targetModules: string }): string | undefined {
  if (a.rank < 1 || a.rank > 4096) return 'rank must be 1–4096'
  if (a.weightsURI.length > MAX_URI || a.targetModules.length > MAX_URI) return `URIs and module lists are at most ${MAX_URI} bytes`
  return undefined
}

export function adapterMethods(settings: PrecompileSettings, toAddress: (a: `0x${string}`) => Address): Record<string, MethodSpec> {
  const requireAdapter = async (s: Store, id: bigint) => {
    if (!(await A.adapterExists(s, id))) throw new Revert('AdapterNotFound', id)
  }
  const requireOwner = async (s: Store, id: bigint, caller: Address) => {
    await requireAdapter(s, id)
    if (!(await A.adapterOwner(s, id)).equals(caller)) throw new Revert('NotAdapterOwner', caller.toString())
  }
  const lookup = async (s: Store, id: bigint) => {
    const a = await A.readAdapter(s, id)
    if (a === undefined) throw new Revert('AdapterNotFound', id)
    return adapterJson(a)
  }
  return {
    registerAdapter: {
      kind: 'write',
      async handler(ctx, [modelId, weightsHash, weightsURI, rank, targetModules, pricePerKTokens]) {
        const model = modelId as bigint
        const models = ctx.store.at(settings.addresses.models)
        if (!(await M.modelExists(models, model))) throw new Revert('NotModelPublisher', model, ctx.frame.caller.toString())
        const owner = await M.modelOwner(models, model)
        if (!owner.equals(ctx.frame.caller) && !(await M.isPublisher(models, model, ctx.frame.caller))) throw new Revert('NotModelPublisher', model, ctx.frame.caller.toString())
        const problem = adapterProblem({ rank: rank as number, weightsURI: weightsURI as string, targetModules: targetModules as string })
        if (problem !== undefined) throw new Revert('InvalidAdapter', problem)
        const id = await A.addAdapter(ctx.store, {
          modelId: model, owner: ctx.frame.caller, weightsHash: bytes(weightsHash as `0x${string}`), weightsURI: weightsURI as string,
          rank: rank as number, targetModules: targetModules as string, pricePerKTokens: pricePerKTokens as bigint, createdAt: ctx.block.timestamp,
        })
        ctx.emit('AdapterRegistered', { adapterId: id, modelId: model, owner: ctx.frame.caller.toString(), weightsHash, pricePerKTokens })
        return id
      },
    },
    setPrice: {
      kind: 'write',
      async handler(ctx, [adapterId, price]) {
        await requireOwner(ctx.store, adapterId as bigint, ctx.frame.caller)
        await A.setPrice(ctx.store, adapterId as bigint, price as bigint, ctx.block.timestamp)
        ctx.emit('PriceChanged', { adapterId, pricePerKTokens: price })
      },
    },
    deactivate: {
      kind: 'write',
      async handler(ctx, [adapterId]) {
        await requireOwner(ctx.store, adapterId as bigint, ctx.frame.caller)
        await A.deactivate(ctx.store, adapterId as bigint, ctx.block.timestamp)
        ctx.emit('AdapterDeactivated', { adapterId })
      },
    },
    transfer: {
      kind: 'write',
      async handler(ctx, [adapterId, to]) {
        await requireOwner(ctx.store, adapterId as bigint, ctx.frame.caller)
        const target = toAddress(to as `0x${string}`)
        if (target.isZero()) throw new Revert('InvalidAdapter', 'cannot transfer to the zero address')
        await A.setOwner(ctx.store, adapterId as bigint, target)
        ctx.emit('AdapterTransferred', { adapterId, from: ctx.frame.caller.toString(), to })
      },
    },
    getAdapter: { kind: 'view', handler: async (ctx, [adapterId]) => lookup(ctx.store, adapterId as bigint) },
    getAdapters: {
      kind: 'view',
      async handler(ctx, [adapterIds]) {
        const ids = adapterIds as readonly bigint[]
        if (ids.length > MAX_BATCH) throw new Revert('TooManyIds', BigInt(ids.length), BigInt(MAX_BATCH))
        const out = []
        for (const id of ids) out.push(await lookup(ctx.store, id))
        return out
      },
    },
    listAdapters: {
      kind: 'view',
      async handler(ctx, [modelId, cursor, limit]) {
        const p = await A.listAdapters(ctx.store, modelId as bigint, cursor as bigint, (limit as bigint) === 0n || (limit as bigint) > MAX_PAGE ? MAX_PAGE : (limit as bigint))
        return [p.ids, p.next]
      },
    },
    adapterCount: { kind: 'view', handler: async (ctx) => A.adapterCount(ctx.store) },
  }
}

export function createAdapterRegistry(settings: PrecompileSettings, toAddress: (a: `0x${string}`) => Address) {
  return definePrecompile({ name: 'AdapterRegistry', address: settings.addresses.adapters, abi: ADAPTER_ABI, activation: settings.activation.adapters, gas: settings.gas, methods: adapterMethods(settings, toAddress) })
}
