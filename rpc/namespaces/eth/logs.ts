// Logs: eth_getLogs, polled filters and WebSocket subscriptions.
import { RpcCode, RpcError } from '../../errors.ts'
import { asLogFilter } from '../../filters.ts'
import { formatLog } from '../../format.ts'
import { data } from '../../hex.ts'
import type { MethodContext, MethodTable } from '../../method.ts'
import { boolean, filter, optional, parseParams, required, string } from '../../params.ts'
import type { FilterParams } from '../../params.ts'
import type { LogWithContext } from '../../../chain/logs.ts'

async function queryLogs(ctx: MethodContext, f: FilterParams): Promise<LogWithContext[]> {
  const chain = ctx.backend.chain
  if (f.blockHash !== undefined) {
    const header = await chain.header({ hash: f.blockHash })
    if (header === undefined) throw new RpcError(RpcCode.InvalidInput, 'unknown block')
    return ctx.backend.logs.block(header, asLogFilter(f))
  }
  const from = chain.resolveNumber(f.fromBlock ?? 'latest') ?? chain.head.number
  const to = chain.resolveNumber(f.toBlock ?? 'latest') ?? chain.head.number
  if (from > to) throw new RpcError(RpcCode.InvalidParams, `invalid block range params: fromBlock ${from} is after toBlock ${to}`)
  return ctx.backend.logs.range(from, to, asLogFilter(f))
}

const filterId = (v: unknown, at: string): string => {
  const s = string(v, at)
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(s)) throw new RpcError(RpcCode.InvalidParams, `${at}: expected a filter id`)
  return s.toLowerCase()
}

export const logMethods: MethodTable = {
  eth_getLogs: async (params, ctx) => {
    const [f] = parseParams(params, [required(filter)])
    return (await queryLogs(ctx, f)).map(formatLog)
  },
  eth_newFilter: (params, ctx) => {
    const [f] = parseParams(params, [required(filter)])
    return ctx.filters.newLogFilter(f)
  },
  eth_newBlockFilter: (params, ctx) => {
    parseParams(params, [])
    return ctx.filters.newBlockFilter()
  },
  eth_newPendingTransactionFilter: (params, ctx) => {
    parseParams(params, [optional(boolean, false)])
    return ctx.filters.newPendingFilter()
  },
  eth_getFilterChanges: (params, ctx) => {
    const [id] = parseParams(params, [required(filterId)])
    const f = ctx.filters.get(id)
    const changes = ctx.filters.changes(id)
    if (f === undefined || changes === undefined) throw new RpcError(RpcCode.InvalidInput, 'filter not found')
    if (f.kind === 'logs') return (changes as LogWithContext[]).map(formatLog)
    return (changes as Uint8Array[]).map(data)
  },
  eth_getFilterLogs: async (params, ctx) => {
    const [id] = parseParams(params, [required(filterId)])
    const f = ctx.filters.get(id)
    if (f === undefined || f.kind !== 'logs') throw new RpcError(RpcCode.InvalidInput, 'filter not found')
    return (await queryLogs(ctx, f.criteria)).map(formatLog)
  },
  eth_uninstallFilter: (params, ctx) => {
    const [id] = parseParams(params, [required(filterId)])
    return ctx.filters.uninstall(id)
  },
  eth_subscribe: (params, ctx) => {
    if (ctx.connection === undefined) throw new RpcError(RpcCode.MethodNotSupported, 'notifications not supported: subscribe over WebSocket')
    const [kind, arg] = parseParams(params, [required(string), optional((v) => v, undefined)])
    switch (kind) {
      case 'newHeads':
        return ctx.subscriptions.subscribe(ctx.connection, 'newHeads')
      case 'logs':
        return ctx.subscriptions.subscribe(ctx.connection, 'logs', { criteria: parseParams([arg ?? {}], [filter])[0] })
      case 'newPendingTransactions':
        return ctx.subscriptions.subscribe(ctx.connection, 'newPendingTransactions', { fullTransactions: arg === true })
      default:
        throw new RpcError(RpcCode.InvalidParams, `invalid argument 0: unknown subscription "${kind}" (newHeads, logs, newPendingTransactions)`)
    }
  },
  eth_unsubscribe: (params, ctx) => {
    if (ctx.connection === undefined) throw new RpcError(RpcCode.MethodNotSupported, 'notifications not supported: subscribe over WebSocket')
    const [id] = parseParams(params, [required(filterId)])
    return ctx.subscriptions.unsubscribe(ctx.connection, id)
  },
}

