// JSON-RPC 2.0 request handling, independent of the transport: validates the envelope, finds the
// method, runs it, and turns every failure into an error object. Batches run concurrently and
// answer in request order; notifications (no id) get no answer.
import type { Logger } from 'pino'
import { RpcCode, RpcError, toRpcError } from './errors.ts'
import type { RpcErrorObject } from './errors.ts'
import type { MethodContext, MethodTable } from './method.ts'

export interface DispatchOptions {
  maxBatchSize: number
  /** called once per request that reached a method, for metrics */
  observe?: (method: string, seconds: number, ok: boolean) => void
}

type Id = string | number | null

export interface RpcResponse {
  jsonrpc: '2.0'
  id: Id
  result?: unknown
  error?: RpcErrorObject
}

export class Dispatcher {
  readonly #methods: MethodTable
  readonly #opts: DispatchOptions
  readonly #log: Logger

  constructor(methods: MethodTable, opts: DispatchOptions, log: Logger) {
    this.#methods = methods
    this.#opts = opts
    this.#log = log
  }

  get methodNames(): string[] {
    return Object.keys(this.#methods)
  }

  /** Handles a parsed body (single request or batch); undefined means nothing to send back. */
  async handle(body: unknown, ctx: MethodContext): Promise<RpcResponse | RpcResponse[] | undefined> {
    if (Array.isArray(body)) {
      if (body.length === 0) return errorResponse(null, RpcCode.InvalidRequest, 'empty batch')
      if (body.length > this.#opts.maxBatchSize) {
        return errorResponse(null, RpcCode.LimitExceeded, `batch too large: ${body.length} requests, at most ${this.#opts.maxBatchSize}`)
      }
      const answers = await Promise.all(body.map((req) => this.#one(req, ctx)))
      const out = answers.filter((a): a is RpcResponse => a !== undefined)
      return out.length === 0 ? undefined : out
    }
    return this.#one(body, ctx)
  }

  async #one(req: unknown, ctx: MethodContext): Promise<RpcResponse | undefined> {
    if (typeof req !== 'object' || req === null || Array.isArray(req)) {
      return errorResponse(null, RpcCode.InvalidRequest, 'invalid request: expected a JSON-RPC request object')
    }
    const r = req as Record<string, unknown>
    const id = r.id
    const validId = id === undefined || id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
    if (!validId) return errorResponse(null, RpcCode.InvalidRequest, 'invalid request: id must be a string, a number or null')
    const replyId = (id ?? null) as Id
    if (r.jsonrpc !== '2.0') return errorResponse(replyId, RpcCode.InvalidRequest, 'invalid request: jsonrpc must be "2.0"')
    if (typeof r.method !== 'string') return errorResponse(replyId, RpcCode.InvalidRequest, 'invalid request: method must be a string')
    const method = Object.hasOwn(this.#methods, r.method) ? this.#methods[r.method] : undefined
    const isNotification = id === undefined
    if (method === undefined) {
      return isNotification ? undefined : errorResponse(replyId, RpcCode.MethodNotFound, `the method ${r.method} does not exist/is not available`)
    }
    const started = performance.now()
    try {
      const result = await method(r.params, ctx)
      this.#opts.observe?.(r.method, (performance.now() - started) / 1000, true)
      return isNotification ? undefined : { jsonrpc: '2.0', id: replyId, result: result === undefined ? null : result }
    } catch (err) {
      this.#opts.observe?.(r.method, (performance.now() - started) / 1000, false)
      if (!(err instanceof RpcError)) this.#log.debug({ method: r.method, err: (err as Error).message }, 'request failed')
      return isNotification ? undefined : { jsonrpc: '2.0', id: replyId, error: toRpcError(err, this.#log) }
    }
  }
}

export function errorResponse(id: Id, code: number, message: string): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message } }
}
