// The shape every JSON-RPC method module exports: a table from method name to handler.
import type { RpcBackend } from './interface.ts'
import type { FilterManager } from './filters.ts'
import type { SubscriptionManager } from './subscriptions.ts'

/** A WebSocket connection, for methods that push (subscriptions). */
export interface Connection {
  readonly id: number
  send(message: unknown): void
}

export interface MethodContext {
  backend: RpcBackend
  filters: FilterManager
  subscriptions: SubscriptionManager
  connection?: Connection
}

export type Method = (params: unknown, ctx: MethodContext) => unknown
export type MethodTable = Record<string, Method>
