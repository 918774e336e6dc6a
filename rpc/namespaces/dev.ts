// Development helpers, present only with --dev: mine on demand, snapshots, and direct state
// edits. Anvil's names are offered too (anvil_*, evm_*), alongside opal_ names, so scripts written
// for Anvil work unchanged.
import { RpcCode, RpcError } from '../errors.ts'
import { quantity } from '../hex.ts'
import type { MethodContext, MethodTable } from '../method.ts'
import { address, boolean, bytes, optional, parseParams, quantity as quantityParam, required, slot } from '../params.ts'
import type { DevControls } from '../interface.ts'

function dev(ctx: MethodContext): DevControls {
  if (ctx.backend.dev === undefined) throw new RpcError(RpcCode.MethodNotFound, 'development methods need the node to run with --dev')
  return ctx.backend.dev
}

/** evm_mine takes nothing, a timestamp, or {timestamp} (Ganache's form). */
const mineTimestamp = (v: unknown, at: string): bigint | undefined => {
  const ts = typeof v === 'object' && v !== null ? (v as { timestamp?: unknown }).timestamp : v
  return ts === undefined ? undefined : quantityParam(ts, at)
}

const mine = async (params: unknown, ctx: MethodContext) => {
  const [timestamp] = parseParams(params, [optional(mineTimestamp, undefined)])
  await dev(ctx).mine({ timestamp })
  return '0x0'
}

const setBalance = async (params: unknown, ctx: MethodContext) => {
  const [a, value] = parseParams(params, [required(address), required(quantityParam)])
  await dev(ctx).editState({ kind: 'balance', address: a, value })
  return true
}
const setNonce = async (params: unknown, ctx: MethodContext) => {
  const [a, value] = parseParams(params, [required(address), required(quantityParam)])
  await dev(ctx).editState({ kind: 'nonce', address: a, value })
  return true
}
const setCode = async (params: unknown, ctx: MethodContext) => {
  const [a, value] = parseParams(params, [required(address), required(bytes)])
  await dev(ctx).editState({ kind: 'code', address: a, value })
  return true
}
const setStorageAt = async (params: unknown, ctx: MethodContext) => {
  const [a, s, value] = parseParams(params, [required(address), required(slot), required(slot)])
  await dev(ctx).editState({ kind: 'storage', address: a, slot: s, value })
  return true
}

export const devMethods: MethodTable = {
  evm_mine: mine,
  anvil_mine: async (params, ctx) => {
    const [count] = parseParams(params, [optional(quantityParam, 1n), optional(quantityParam, undefined)])
    if (count > 10_000n) throw new RpcError(RpcCode.InvalidParams, 'invalid argument 0: at most 10000 blocks at once')
    for (let i = 0n; i < count; i++) await dev(ctx).mine({})
    return null
  },
  evm_snapshot: async (params, ctx) => {
    parseParams(params, [])
    return quantity(await dev(ctx).snapshot())
  },
  evm_revert: async (params, ctx) => {
    const [id] = parseParams(params, [required(quantityParam)])
    return dev(ctx).revert(id)
  },
  evm_setNextBlockTimestamp: (params, ctx) => {
    const [ts] = parseParams(params, [required(quantityParam)])
    dev(ctx).setNextTimestamp(ts)
    return null
  },
  evm_setAutomine: (params, ctx) => {
    const [on] = parseParams(params, [required(boolean)])
    dev(ctx).setAutomine(on)
    return null
  },
  anvil_getAutomine: (params, ctx) => {
    parseParams(params, [])
    return dev(ctx).automine()
  },
  opal_setBalance: setBalance,
  opal_setNonce: setNonce,
  opal_setCode: setCode,
  opal_setStorageAt: setStorageAt,
  anvil_setBalance: setBalance,
  anvil_setNonce: setNonce,
  anvil_setCode: setCode,
  anvil_setStorageAt: setStorageAt,
}
