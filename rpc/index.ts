import type { MethodTable } from './method.ts'
import { ethMethods } from './namespaces/eth/index.ts'
import { netMethods } from './namespaces/net.ts'
import { web3Methods } from './namespaces/web3.ts'
import { txpoolMethods } from './namespaces/txpool.ts'
import { devMethods } from './namespaces/dev.ts'

export { startRpcServer } from './server.ts'
export type { RpcServer } from './server.ts'
export type { RpcBackend, DevControls, StateEdit, DevAccountKey, SyncStatus, NetworkStatus, ReceiptService } from './interface.ts'
export type { MethodTable, MethodContext, Method } from './method.ts'
export { RpcError, RpcCode, toRpcError } from './errors.ts'
export type { RpcServerOptions } from './options.ts'
export { DEFAULT_RPC_OPTIONS } from './options.ts'

/** Every standard method; node/ adds namespaces of other parts (opal_, admin_). */
export function standardMethods(opts: { dev: boolean }): MethodTable {
  return { ...web3Methods, ...netMethods, ...ethMethods, ...txpoolMethods, ...(opts.dev ? devMethods : {}) }
}
