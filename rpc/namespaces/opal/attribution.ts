// opal_ read methods for inference servers, payers' escrow, claimable rewards and attribution:
// named fields, quantities as 0x hex, any block tag.
import { Address } from '@ethereumjs/util'
import type { AttributionEngine, PrecompileSettings } from '../../../precompiles/index.ts'
import { RpcCode, RpcError } from '../../errors.ts'
import type { MethodTable } from '../../method.ts'
import { address, blockRef, optional, parseParams, quantity, required } from '../../params.ts'
import { Status } from '../../../precompiles/datanets/records.ts'
import { ServerStatus } from '../../../precompiles/servers/records.ts'
import type { ServerRecord } from '../../../precompiles/servers/records.ts'
import { requireHeader } from '../eth/resolve.ts'
import { page, pageParams, readerAt, toJson } from './registries.ts'

/** An enum's values → its names in lower case (`Status.Accepted` → 'accepted'). */
function lowerNames<E extends Record<string, number>>(e: E): Record<E[keyof E], Lowercase<Extract<keyof E, string>>> {
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [v, k.toLowerCase()])) as Record<E[keyof E], Lowercase<Extract<keyof E, string>>>
}

const STATUS = lowerNames(Status)
const SERVER_STATUS = lowerNames(ServerStatus)

const serverJson = (s: ServerRecord | undefined) => (s === undefined ? null : { ...s, status: SERVER_STATUS[s.status] })

interface StatsOptions {
  idleAfter: bigint | undefined
  onlyIdle: boolean
  cursor: bigint
  limit: bigint
}

function statsOptions(v: unknown, at: string): StatsOptions {
  if (typeof v !== 'object' || Array.isArray(v)) throw new RpcError(RpcCode.InvalidParams, `${at}: expected {idleAfter, onlyIdle, cursor, limit}`)
  const o = v as Record<string, unknown>
  for (const k of Object.keys(o)) if (!['idleAfter', 'onlyIdle', 'cursor', 'limit'].includes(k)) throw new RpcError(RpcCode.InvalidParams, `${at}.${k}: unknown option`)
  if (o.onlyIdle !== undefined && typeof o.onlyIdle !== 'boolean') throw new RpcError(RpcCode.InvalidParams, `${at}.onlyIdle: expected true or false`)
  return {
    idleAfter: o.idleAfter === undefined ? undefined : quantity(o.idleAfter, `${at}.idleAfter`),
    onlyIdle: o.onlyIdle === true,
    ...pageParams({ cursor: o.cursor, limit: o.limit }, at),
  }
}

export function attributionMethods(settings: PrecompileSettings, engine: AttributionEngine): MethodTable {
  const block = optional(blockRef, 'latest' as const)
  return {
    opal_getServer: async (params, ctx) => {
      const [signer, sel] = parseParams(params, [required(address), block])
      const s = await (await readerAt(settings, ctx, sel)).server(new Address(signer))
      return toJson(serverJson(s))
    },
    opal_listServers: async (params, ctx) => {
      const [p, sel] = parseParams(params, [optional(pageParams, { cursor: 0n, limit: 100n }), block])
      const r = await readerAt(settings, ctx, sel)
      const list = await r.listServers(p.cursor, p.limit)
      const items = await Promise.all(list.signers.map(async (a) => serverJson(await r.server(a))))
      return page(list, items)
    },
    opal_getEscrow: async (params, ctx) => {
      const [payer, sel] = parseParams(params, [required(address), block])
      return toJson(await (await readerAt(settings, ctx, sel)).escrow(new Address(payer)))
    },
    opal_getClaimable: async (params, ctx) => {
      const [account, sel] = parseParams(params, [required(address), block])
      return toJson(await (await readerAt(settings, ctx, sel)).claimable(new Address(account)))
    },
    opal_getModelAttribution: async (params, ctx) => {
      const [id, sel] = parseParams(params, [required(quantity), block])
      return toJson((await (await readerAt(settings, ctx, sel)).modelAttribution(engine, id)) ?? null)
    },
    /**
     * Per contribution of a Datanet: what it earned, the receipts it was a candidate for, and
     * whether it is idle — no earnings over `idleAfter` candidate receipts while its Datanet's
     * other contributions earned (curators may flag it). The node keeps these for its head only.
     */
    opal_getContributionStats: async (params, ctx) => {
      const [datanet, opts, sel] = parseParams(params, [required(quantity), optional(statsOptions, { idleAfter: undefined, onlyIdle: false, cursor: 0n, limit: 100n }), block])
      const chain = ctx.backend.chain
      const header = await requireHeader(ctx, sel)
      if (header.number !== chain.head.number) {
        throw new RpcError(RpcCode.InvalidInput, `contribution statistics are kept for the head block only (${chain.head.number}), not block ${header.number}: ask for 'latest'`)
      }
      // the statistics index moves with the head: a page read across a new block is read again
      for (;;) {
        const at = chain.head
        const r = await readerAt(settings, ctx, { hash: at.hash() })
        if (!(await r.datanetExists(datanet))) return null
        const idleAfter = opts.idleAfter ?? settings.receipts.idleReceipts
        const list = await r.listContributions(datanet, opts.cursor, opts.limit)
        const items = []
        for (const id of list.ids) {
          const c = await r.contribution(id)
          if (c === undefined) continue
          const s = await r.contributionStats(id, chain.contributionStats.get(id))
          const idle = c.status === Status.Accepted && s.receiptsSinceEarned >= idleAfter && s.peerEarningsSince > 0n
          if (opts.onlyIdle && !idle) continue
          items.push({ contributionId: id, contributor: c.contributor, status: STATUS[c.status], ...s, idle })
        }
        if (chain.head === at) return { idleAfter: toJson(idleAfter), ...page(list, items) }
      }
    },
  }
}
