// opal_ read methods for the Datanet, model and adapter registries: JSON objects with named
// fields (quantities as 0x hex, bytes as 0x hex), cursor/limit pagination, any block tag.
import { Address } from '@ethereumjs/util'
import { RegistryReader } from '../../../precompiles/index.ts'
import type { PrecompileSettings } from '../../../precompiles/index.ts'
import { RpcCode, RpcError } from '../../errors.ts'
import type { MethodContext, MethodTable } from '../../method.ts'
import { address, blockRef, optional, parseParams, quantity, required } from '../../params.ts'
import { requireHeader } from '../eth/resolve.ts'
import type { BlockSelector } from '../../../chain/index.ts'

const MAX_LIMIT = 1000n
const MAX_IDS = 1000

/** bigint → quantity, bytes → hex, Address → hex, recursively. */
export function toJson(v: unknown): unknown {
  if (typeof v === 'bigint') return `0x${v.toString(16)}`
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`
  if (v instanceof Address) return v.toString()
  if (Array.isArray(v)) return v.map(toJson)
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]))
  return v
}

interface PageParams {
  cursor: bigint
  limit: bigint
}

export function pageParams(v: unknown, at: string): PageParams {
  if (v === undefined || v === null) return { cursor: 0n, limit: 100n }
  if (typeof v !== 'object' || Array.isArray(v)) throw new RpcError(RpcCode.InvalidParams, `${at}: expected {cursor, limit}`)
  const o = v as Record<string, unknown>
  const cursor = o.cursor === undefined || o.cursor === null ? 0n : quantity(o.cursor, `${at}.cursor`)
  const limit = o.limit === undefined || o.limit === null ? 100n : quantity(o.limit, `${at}.limit`)
  if (limit === 0n || limit > MAX_LIMIT) throw new RpcError(RpcCode.InvalidParams, `${at}.limit: between 1 and ${MAX_LIMIT}`)
  return { cursor, limit }
}

function idList(v: unknown, at: string): bigint[] {
  if (!Array.isArray(v)) throw new RpcError(RpcCode.InvalidParams, `${at}: expected an array of ids`)
  if (v.length > MAX_IDS) throw new RpcError(RpcCode.LimitExceeded, `${at}: at most ${MAX_IDS} ids per call`)
  return v.map((x, i) => quantity(x, `${at}[${i}]`))
}

export const page = (p: { next: bigint }, items: unknown[]) => ({ items: toJson(items), nextCursor: p.next === 0n ? null : toJson(p.next) })

/** The registries at a block the caller names. */
export async function readerAt(settings: PrecompileSettings, ctx: MethodContext, sel: BlockSelector): Promise<RegistryReader> {
  return new RegistryReader(settings, await ctx.backend.chain.readState(await requireHeader(ctx, sel)))
}

export function registryMethods(settings: PrecompileSettings): MethodTable {
  const reader = (ctx: MethodContext, sel: BlockSelector) => readerAt(settings, ctx, sel)
  const block = optional(blockRef, 'latest' as const)
  return {
    opal_precompiles: () => toJson(settings.addresses),
    opal_getDatanet: async (params, ctx) => {
      const [id, sel] = parseParams(params, [required(quantity), block])
      return toJson((await (await reader(ctx, sel)).datanet(id)) ?? null)
    },
    opal_listDatanets: async (params, ctx) => {
      const [p, sel] = parseParams(params, [optional(pageParams, { cursor: 0n, limit: 100n }), block])
      const r = await reader(ctx, sel)
      const res = await r.listDatanets(p.cursor, p.limit)
      return page(res, await Promise.all(res.ids.map((id) => r.datanet(id))))
    },
    opal_getContribution: async (params, ctx) => {
      const [id, sel] = parseParams(params, [required(quantity), block])
      return toJson((await (await reader(ctx, sel)).contribution(id)) ?? null)
    },
    opal_listContributions: async (params, ctx) => {
      const [datanet, p, sel] = parseParams(params, [required(quantity), optional(pageParams, { cursor: 0n, limit: 100n }), block])
      const r = await reader(ctx, sel)
      if (!(await r.datanetExists(datanet))) return null
      const res = await r.listContributions(datanet, p.cursor, p.limit)
      return page(res, await Promise.all(res.ids.map((id) => r.contribution(id))))
    },
    opal_getContributionsOf: async (params, ctx) => {
      const [who, p, sel] = parseParams(params, [required(address), optional(pageParams, { cursor: 0n, limit: 100n }), block])
      const r = await reader(ctx, sel)
      const res = await r.contributionsOf(new Address(who), p.cursor, p.limit)
      return page(res, await Promise.all(res.ids.map((id) => r.contribution(id))))
    },
    opal_getVersion: async (params, ctx) => {
      const [datanet, n, sel] = parseParams(params, [required(quantity), required(quantity), block])
      return toJson((await (await reader(ctx, sel)).version(datanet, n)) ?? null)
    },
    opal_getModel: async (params, ctx) => {
      const [id, sel] = parseParams(params, [required(quantity), block])
      return toJson((await (await reader(ctx, sel)).model(id)) ?? null)
    },
    opal_listModels: async (params, ctx) => {
      const [p, sel] = parseParams(params, [optional(pageParams, { cursor: 0n, limit: 100n }), block])
      const r = await reader(ctx, sel)
      const res = await r.listModels(p.cursor, p.limit)
      return page(res, await Promise.all(res.ids.map((id) => r.model(id))))
    },
    opal_getAdapter: async (params, ctx) => {
      const [id, sel] = parseParams(params, [required(quantity), block])
      return toJson((await (await reader(ctx, sel)).adapter(id)) ?? null)
    },
    opal_getAdapters: async (params, ctx) => {
      const [ids, sel] = parseParams(params, [required(idList), block])
      const r = await reader(ctx, sel)
      return toJson(await Promise.all(ids.map(async (id) => (await r.adapter(id)) ?? null)))
    },
    opal_listAdapters: async (params, ctx) => {
      const [model, p, sel] = parseParams(params, [required(quantity), optional(pageParams, { cursor: 0n, limit: 100n }), block])
      const r = await reader(ctx, sel)
      const res = await r.listAdapters(model, p.cursor, p.limit)
      return page(res, await Promise.all(res.ids.map((id) => r.adapter(id))))
    },
  }
}
