// The JSON-RPC server: fastify on one port for HTTP POST (single and batch requests) and
// WebSocket (same path, upgraded). Transport concerns only — size limits, JSON parsing, CORS,
// connection bookkeeping; everything else is the dispatcher's.
import fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import websocket from '@fastify/websocket'
import type { Logger } from 'pino'
import { Dispatcher, errorResponse } from './dispatch.ts'
import { RpcCode } from './errors.ts'
import { FilterManager } from './filters.ts'
import type { RpcBackend } from './interface.ts'
import type { Connection, MethodContext, MethodTable } from './method.ts'
import { DEFAULT_RPC_OPTIONS } from './options.ts'
import type { RpcServerOptions } from './options.ts'
import { SubscriptionManager } from './subscriptions.ts'

export interface RpcServer {
  readonly app: FastifyInstance
  readonly url: string
  readonly wsUrl: string
  readonly dispatcher: Dispatcher
  close(): Promise<void>
}

export async function startRpcServer(
  backend: RpcBackend,
  methods: MethodTable,
  log: Logger,
  options: Partial<RpcServerOptions> = {},
  routes?: (app: FastifyInstance) => void,
): Promise<RpcServer> {
  const opts = { ...DEFAULT_RPC_OPTIONS, ...options }
  const dispatcher = new Dispatcher(methods, { maxBatchSize: opts.maxBatchSize, observe: opts.observe }, log)
  const filters = new FilterManager(backend.chain, backend.pool)
  const subscriptions = new SubscriptionManager(backend.chain, backend.pool)
  const httpCtx: MethodContext = { backend, filters, subscriptions }

  const app = fastify({ bodyLimit: opts.maxBodyBytes, logger: false, forceCloseConnections: true })
  // parse JSON ourselves: a malformed body is a JSON-RPC parse error (-32700), not an HTTP 400
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body))
  app.addHook('onRequest', async (req, reply) => {
    reply.header('access-control-allow-origin', '*')
    reply.header('access-control-allow-methods', 'POST, GET, OPTIONS')
    reply.header('access-control-allow-headers', 'content-type')
    if (req.method === 'OPTIONS') return reply.code(204).send()
  })
  app.setErrorHandler((err: { code?: string; statusCode?: number; message: string }, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(errorResponse(null, RpcCode.InvalidRequest, `request body too large: the limit is ${opts.maxBodyBytes} bytes`))
    }
    log.error({ err }, 'HTTP error')
    return reply.code(err.statusCode ?? 500).send(errorResponse(null, RpcCode.Internal, 'internal error'))
  })
  await app.register(websocket, { options: { maxPayload: opts.maxBodyBytes } })

  let nextConnection = 1
  app.route({
    method: 'GET',
    url: '/',
    handler: async () => ({ client: backend.clientVersion, chainId: Number(backend.chain.chainId), jsonrpc: 'POST JSON-RPC 2.0 here, or open a WebSocket' }),
    wsHandler: (socket) => {
      const connection: Connection = {
        id: nextConnection++,
        send: (message) => {
          if (socket.readyState === socket.OPEN) socket.send(stringify(message))
        },
      }
      const ctx: MethodContext = { ...httpCtx, connection }
      socket.on('message', async (raw: Buffer) => {
        const body = parse(raw.toString('utf8'))
        const answer = body === PARSE_ERROR ? errorResponse(null, RpcCode.ParseError, 'parse error: the message is not valid JSON') : await dispatcher.handle(body, ctx)
        if (answer !== undefined) connection.send(answer)
      })
      socket.on('close', () => subscriptions.dropConnection(connection))
    },
  })
  app.post('/', async (req, reply) => {
    const body = parse(typeof req.body === 'string' ? req.body : '')
    const answer = body === PARSE_ERROR ? errorResponse(null, RpcCode.ParseError, 'parse error: the body is not valid JSON') : await dispatcher.handle(body, httpCtx)
    reply.header('content-type', 'application/json')
    return reply.send(answer === undefined ? '' : stringify(answer))
  })
  routes?.(app)

  const address = await app.listen({ host: opts.host, port: opts.port })
  const { port } = new URL(address)
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
  return {
    app,
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    dispatcher,
    async close() {
      filters.close()
      subscriptions.close()
      await app.close()
    },
  }
}

const PARSE_ERROR = Symbol('parse error')

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return PARSE_ERROR
  }
}

/** JSON with bigints as 0x quantities, as a last resort for any method that returns one. */
function stringify(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))
}
