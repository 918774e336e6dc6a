// JSON-RPC errors and the one place where every other error becomes one.
//   -32700 parse error · -32600 invalid request · -32601 method not found · -32602 invalid params
//   -32603 internal (details logged, never returned) · -32000 invalid input / rejected transaction
//   -32001 resource not found · -32005 limit exceeded · 3 execution reverted (revert data in `data`)
import type { Logger } from 'pino'
import { ChainError, TxPoolError } from '../chain/index.ts'
import { CallError } from '../chain/call.ts'
import { GenesisError } from '../genesis/index.ts'

export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  InvalidInput: -32000,
  ResourceNotFound: -32001,
  ResourceUnavailable: -32002,
  TransactionRejected: -32003,
  MethodNotSupported: -32004,
  LimitExceeded: -32005,
  ExecutionReverted: 3,
} as const
export type RpcCode = (typeof RpcCode)[keyof typeof RpcCode]

export class RpcError extends Error {
  readonly code: number
  readonly data?: unknown

  constructor(code: number, message: string, data?: unknown) {
    super(message)
    this.name = 'RpcError'
    this.code = code
    this.data = data
  }
}

export const invalidParams = (message: string) => new RpcError(RpcCode.InvalidParams, message)

export interface RpcErrorObject {
  code: number
  message: string
  data?: unknown
}

/** Maps any thrown value to the error object returned to the caller. */
export function toRpcError(err: unknown, log?: Logger): RpcErrorObject {
  if (err instanceof RpcError) return withData(err.code, err.message, err.data)
  if (err instanceof TxPoolError) return { code: RpcCode.InvalidInput, message: err.message }
  if (err instanceof CallError) return { code: RpcCode.InvalidInput, message: err.message }
  if (err instanceof GenesisError) return { code: RpcCode.InvalidInput, message: err.message }
  if (err instanceof ChainError) {
    switch (err.code) {
      case 'STATE_UNAVAILABLE':
      case 'INVALID_BLOCK':
        return { code: RpcCode.InvalidInput, message: err.message }
      case 'BLOCK_NOT_FOUND':
        return { code: RpcCode.ResourceNotFound, message: err.message }
      default:
        break
    }
  }
  log?.error({ err }, 'internal error while serving a JSON-RPC request')
  return { code: RpcCode.Internal, message: 'internal error' }
}

function withData(code: number, message: string, data: unknown): RpcErrorObject {
  return data === undefined ? { code, message } : { code, message, data }
}
