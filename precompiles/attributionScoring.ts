// The Attribution precompile: registration of scoring graphs (integer-exact ONNX only, and only
// what the reference interpreter runs; the state keeps their hash, the node their bytes),
// per-model attribution settings, and `score`, the attribution of a sketch as settlement computes
// it, callable from any contract.
import type { Abi } from 'viem'
import abiJson from './abi/Attribution.json' with { type: 'json' }
import { executingBlock, pendingGraph, recordGraph } from './artifacts.ts'
import { compileScoringGraph } from './attribution/customGraph.ts'
import { GraphBytesMissing, GraphError } from './attribution/engine.ts'
import type { AttributionEngine } from './attribution/engine.ts'
import * as T from './attribution/records.ts'
import { definePrecompile } from './framework/precompile.ts'
import type { CallContext, MethodSpec } from './framework/precompile.ts'
import { Revert } from './framework/revert.ts'
import { MAX_K } from './settings.ts'
import type { PrecompileSettings } from './settings.ts'
import { registryStores } from './stores.ts'
import { bytes, hex } from './framework/hex.ts'

export const ATTRIBUTION_ABI = abiJson as Abi
/** largest scoring graph accepted (its bytes travel in a transaction) */
const MAX_GRAPH_BYTES = 96 * 1024

export interface AttributionServices {
  engine: AttributionEngine
  keccak: (b: Uint8Array) => Uint8Array
  defaultGraphId: Uint8Array
}

const MODE_VALUE = { exact: T.Mode.Exact, indexed: T.Mode.Indexed } as const

export function attributionMethods(settings: PrecompileSettings, services: AttributionServices): Record<string, MethodSpec> {
  const { engine } = services
  const requireModel = async (ctx: CallContext, id: bigint) => {
    // a graph registered earlier in this block is not where the node keeps graphs yet
    const info = await engine.modelInfo(registryStores(ctx.store, settings), id, (g) => pendingGraph(ctx.evm, g))
    if (info === undefined) throw new Revert('ModelNotFound', id)
    return info
  }
  return {
    registerScoringGraph: {
      kind: 'write',
      async handler(ctx, [graph]) {
        const b = bytes(graph as `0x${string}`)
        ctx.meter.charge((ctx.meter.gas.graphWord + ctx.meter.gas.hashWord) * ctx.meter.words(b.length) + ctx.meter.gas.hash)
        if (b.length > MAX_GRAPH_BYTES) throw new Revert('GraphRejected', `a scoring graph is at most ${MAX_GRAPH_BYTES} bytes`)
        let compiled
        try {
          // the whitelist, and what the interpreter runs: a graph no node could run is never registered
          compiled = compileScoringGraph(b)
        } catch (err) {
          if (err instanceof GraphError) throw new Revert('GraphRejected', err.message)
          throw err
        }
        const id = services.keccak(b)
        if (await T.graphRegistered(ctx.store, id)) throw new Revert('GraphExists', hex(id))
        await T.writeGraph(ctx.store, id, { size: BigInt(b.length), registrant: ctx.frame.caller, registeredAt: ctx.block.timestamp })
        ctx.emit('ScoringGraphRegistered', { graphId: hex(id), registrant: ctx.frame.caller.toString(), size: BigInt(b.length) })
        ctx.afterSuccess(() => {
          recordGraph(ctx.evm, { id, bytes: b })
          engine.rememberGraph(id, compiled)
        })
        return hex(id)
      },
    },
    configureModel: {
      kind: 'write',
      async handler(ctx, [modelId, k, mode]) {
        const id = modelId as bigint
        const info = await requireModel(ctx, id)
        if (!info.owner.equals(ctx.frame.caller)) throw new Revert('NotModelOwner', ctx.frame.caller.toString())
        if ((k as number) < 1 || (k as number) > MAX_K) throw new Revert('InvalidK', k, MAX_K)
        if ((mode as number) > T.Mode.Indexed) throw new Revert('MalformedInput')
        await T.setModelSettings(ctx.store, id, { k: k as number, mode: mode as T.Mode })
        ctx.emit('ModelConfigured', { modelId: id, k, mode })
      },
    },
    score: {
      kind: 'view',
      async handler(ctx, [modelId, sketch]) {
        const info = await requireModel(ctx, modelId as bigint)
        const q = bytes(sketch as `0x${string}`)
        if (q.length !== info.dim) throw new Revert('WrongSketchSize', BigInt(info.dim), BigInt(q.length))
        if (info.scoring.by === 'none') {
          // in a block, a missing graph is this node's fault: refuse the block rather than revert where others would not
          if (info.scoring.missing && executingBlock(ctx.evm)) throw new GraphBytesMissing(info.scoring.reason)
          throw new Revert('ScoringUnavailable', info.scoring.reason)
        }
        const n = engine.candidateCount(info)
        const mode = engine.modeOf(info, n)
        ctx.meter.charge(engine.scoringGasOf(ctx.meter.gas, info, n, mode))
        const c = await engine.candidates(registryStores(ctx.unmetered, settings), info)
        const [top] = await engine.tryScore(c, [new Int8Array(q.buffer, q.byteOffset, q.length)], mode)
        // settlement gives such a receipt no attribution; a caller is told why
        if (top instanceof GraphError) throw new Revert('ScoringUnavailable', `the scoring graph fails on this sketch: ${top.message}`)
        return [top.map((t) => c.ids[t.index]), top.map((t) => BigInt(t.score))]
      },
    },
    modelAttribution: {
      kind: 'view',
      async handler(ctx, [modelId]) {
        const info = await requireModel(ctx, modelId as bigint)
        const n = engine.candidateCount(info)
        return { k: info.k, mode: info.configuredMode, effectiveMode: MODE_VALUE[engine.modeOf(info, n)], candidates: BigInt(n), dimension: info.dim, scoringGraphId: hex(info.scoringGraphId) }
      },
    },
    scoringGraph: {
      kind: 'view',
      async handler(ctx, [graphId]) {
        const g = await T.readGraph(ctx.store, bytes(graphId as `0x${string}`))
        if (g === undefined) return { registered: false, size: 0n, registrant: '0x0000000000000000000000000000000000000000', registeredAt: 0n }
        return { registered: true, size: g.size, registrant: g.registrant.toString(), registeredAt: g.registeredAt }
      },
    },
    defaultScoringGraph: { kind: 'view', handler: async () => hex(services.defaultGraphId) },
  }
}

export function createAttribution(settings: PrecompileSettings, services: AttributionServices) {
  return definePrecompile({ name: 'Attribution', address: settings.addresses.attribution, abi: ATTRIBUTION_ABI, activation: settings.activation.attribution, gas: settings.gas, methods: attributionMethods(settings, services) })
}
