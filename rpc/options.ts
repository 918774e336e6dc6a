export interface RpcServerOptions {
  host: string
  port: number
  /** largest HTTP body or WebSocket message, in bytes */
  maxBodyBytes: number
  /** most requests in one batch */
  maxBatchSize: number
  /** per-request observation, for metrics */
  observe?: (method: string, seconds: number, ok: boolean) => void
}

export const DEFAULT_RPC_OPTIONS: RpcServerOptions = {
  host: '127.0.0.1',
  port: 8545,
  maxBodyBytes: 16 * 1024 * 1024,
  maxBatchSize: 5_000,
}
