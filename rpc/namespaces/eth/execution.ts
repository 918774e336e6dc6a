// eth_call, eth_estimateGas and eth_createAccessList. A revert is code 3 with the revert data
// in error.data and, for Error(string), the reason in the message, as geth.
import { decodeErrorResult } from 'viem'
import type { CallOutcome } from '../../../chain/call.ts'
import { RpcCode, RpcError } from '../../errors.ts'
import { data, quantity } from '../../hex.ts'
import type { MethodTable } from '../../method.ts'
import { blockRef, callRequest, optional, parseParams, required, stateOverrides } from '../../params.ts'
import { requireHeader } from './resolve.ts'

export const executionMethods: MethodTable = {
  eth_call: async (params, ctx) => {
    const [req, block, overrides] = parseParams(params, [required(callRequest), optional(blockRef, 'latest' as const), optional(stateOverrides, undefined)])
    const header = await requireHeader(ctx, block)
    const out = await ctx.backend.calls.call(req, header, overrides)
    if (!out.success) throw failure(out)
    return data(out.returnValue)
  },
  eth_estimateGas: async (params, ctx) => {
    const [req, block, overrides] = parseParams(params, [required(callRequest), optional(blockRef, 'latest' as const), optional(stateOverrides, undefined)])
    const header = await requireHeader(ctx, block)
    const out = await ctx.backend.calls.estimateGas(req, header, overrides)
    if (typeof out === 'bigint') return quantity(out)
    if (out.reverted) throw failure(out)
    throw new RpcError(RpcCode.InvalidInput, `gas required exceeds allowance (${req.gas ?? header.gasLimit}): ${out.error}`)
  },
  eth_createAccessList: async (params, ctx) => {
    const [req, block] = parseParams(params, [required(callRequest), optional(blockRef, 'latest' as const)])
    const header = await requireHeader(ctx, block)
    const out = await ctx.backend.calls.createAccessList(req, header)
    const result: Record<string, unknown> = {
      accessList: (out.accessList ?? []).filter((item) => !isImplicit(item.address, req.from, req.to)),
      gasUsed: quantity(out.gasUsed),
    }
    if (!out.success) result.error = out.reverted ? revertMessage(out.returnValue) : out.error
    return result
  },
}

/** The sender and recipient are warm anyway; listing them would only cost gas. */
function isImplicit(address: string, from?: Uint8Array, to?: Uint8Array): boolean {
  const a = address.toLowerCase()
  return (from !== undefined && a === data(from)) || (to !== undefined && a === data(to))
}

function failure(out: CallOutcome): RpcError {
  if (out.reverted) return new RpcError(RpcCode.ExecutionReverted, revertMessage(out.returnValue), data(out.returnValue))
  return new RpcError(RpcCode.InvalidInput, out.error ?? 'execution failed')
}

export function revertMessage(revertData: Uint8Array): string {
  if (revertData.length >= 4) {
    try {
      const decoded = decodeErrorResult({ data: data(revertData) })
      if (decoded.errorName === 'Error') return `execution reverted: ${String(decoded.args?.[0])}`
      if (decoded.errorName === 'Panic') return `execution reverted: panic code 0x${BigInt(decoded.args?.[0] as bigint).toString(16)}`
    } catch {
      // a custom error: the caller decodes error.data with its ABI
    }
  }
  return 'execution reverted'
}
