// The opal node: builds every part in order and takes them down in reverse.
//
//   crypto → chain (LevelDB, genesis, head) → txpool (journal replayed) → producer + sequencer
//   (when this node holds the sequencer key) → JSON-RPC server (HTTP + WebSocket, /metrics)
import { Address, privateToAddress } from '@ethereumjs/util'
import type { Logger } from 'pino'
import {
  BlockProducer, CallExecutor, Chain, LogQuery, Sequencer, TxPool, chainPoolBackend, loadCrypto,
} from '../chain/index.ts'
import type { TxPoolError } from '../chain/index.ts'
import { createOpalPrecompiles, parsePrecompileSettings } from '../precompiles/index.ts'
import { registryMethods } from '../rpc/namespaces/opal/registries.ts'
import { RecoverPool } from '../chain/sigs/recoverPool.ts'
import type { Genesis } from '../genesis/index.ts'
import { startRpcServer, standardMethods } from '../rpc/index.ts'
import type { DevAccountKey, MethodTable, RpcBackend, RpcServer } from '../rpc/index.ts'
import type { NodeConfig } from './config.ts'
import { createDevControls } from './devControls.ts'
import { createMetrics } from './metrics.ts'
import type { NodeMetrics } from './metrics.ts'
import { CLIENT_VERSION } from './version.ts'

export interface NodeParts {
  genesis: Genesis
  /** keys offered by eth_accounts and the signing methods (dev mode) */
  signers?: DevAccountKey[]
  extraMethods?: MethodTable
}

export class OpalNode {
  readonly config: NodeConfig
  readonly chain: Chain
  readonly pool: TxPool
  readonly sequencer: Sequencer | undefined
  readonly rpc: RpcServer
  readonly #metrics: NodeMetrics
  readonly #log: Logger
  #stopping: Promise<void> | undefined

  readonly #closers: Array<() => Promise<void>>

  private constructor(config: NodeConfig, log: Logger, chain: Chain, pool: TxPool, sequencer: Sequencer | undefined, rpc: RpcServer, metrics: NodeMetrics, closers: Array<() => Promise<void>>) {
    this.#closers = closers
    this.config = config
    this.#log = log
    this.chain = chain
    this.pool = pool
    this.sequencer = sequencer
    this.rpc = rpc
    this.#metrics = metrics
  }

  static async start(config: NodeConfig, parts: NodeParts, log: Logger): Promise<OpalNode> {
    const crypto = await loadCrypto()
    log.info({ keccak: crypto.backends.keccak, secp256k1: crypto.backends.secp256k1 }, 'crypto backends')
    const genesis = config.blockTime === undefined ? parts.genesis : { ...parts.genesis, blockTime: config.blockTime }
    const precompiles = createOpalPrecompiles(parsePrecompileSettings(genesis.precompiles))
    const chain = await Chain.open({ dataDir: config.dataDir, genesis, crypto, archive: config.archive, extensions: precompiles })
    log.info({ dataDir: config.dataDir, head: Number(chain.head.number), chainId: Number(chain.chainId) }, 'chain opened')
    const closers: Array<() => Promise<void>> = []
    try {
      const signatures = new RecoverPool()
      closers.push(() => signatures.close())
      const pool = new TxPool(chain.common, chainPoolBackend(chain), { maxTotal: config.txpoolMaxTotal, maxPerSender: config.txpoolMaxPerSender }, signatures)
      await replayJournal(chain, pool, log)
      const sequencer = await startSequencer(config, genesis, chain, pool, log)
      const metrics = createMetrics(chain, pool)
      const backend: RpcBackend = {
        chain,
        pool,
        calls: new CallExecutor(chain),
        logs: new LogQuery(chain),
        clientVersion: CLIENT_VERSION,
        submitTransactions: (raws): Promise<Array<Uint8Array | TxPoolError>> => pool.addRaw(raws),
        network: () => ({ listening: true, peerCount: 0 }),
        syncStatus: () => false,
        signers: parts.signers ?? [],
        dev: config.dev && sequencer !== undefined ? createDevControls(chain, pool, sequencer) : undefined,
      }
      const methods = { ...standardMethods({ dev: config.dev }), ...registryMethods(precompiles.settings), ...(parts.extraMethods ?? {}) }
      const rpc = await startRpcServer(
        backend,
        methods,
        log.child({ module: 'rpc' }),
        { host: config.host, port: config.port, maxBodyBytes: config.rpcMaxBodyBytes, maxBatchSize: config.rpcMaxBatchSize, observe: metrics.observeRpc },
        (app) => {
          if (config.metrics) {
            app.get('/metrics', async (_req, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()))
          }
        },
      )
      sequencer?.start()
      log.info({ http: rpc.url, ws: rpc.wsUrl }, 'JSON-RPC listening')
      return new OpalNode(config, log, chain, pool, sequencer, rpc, metrics, closers)
    } catch (err) {
      for (const close of closers.reverse()) await close()
      await chain.close()
      throw err
    }
  }

  /** Stops taking requests, lets the block in progress commit, closes the database. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#log.info('stopping')
      await this.rpc.close()
      await this.sequencer?.stop()
      this.#metrics.close()
      for (const close of this.#closers.reverse()) await close()
      await this.chain.close()
      this.#log.info({ head: Number(this.chain.head.number) }, 'stopped')
    })()
    return this.#stopping
  }
}

async function startSequencer(config: NodeConfig, genesis: Genesis, chain: Chain, pool: TxPool, log: Logger): Promise<Sequencer | undefined> {
  if (config.sequencerKey === undefined) return undefined
  const key = Uint8Array.from(Buffer.from(config.sequencerKey.replace(/^0x/, ''), 'hex'))
  const address = new Address(privateToAddress(key)).toString()
  if (address !== genesis.sequencer) {
    throw new Error(`the sequencer key is for ${address}, but the genesis names ${genesis.sequencer} as sequencer`)
  }
  const producer = new BlockProducer(chain, pool, { coinbase: genesis.feeRecipient }, log.child({ module: 'producer' }))
  await producer.init()
  log.info({ sequencer: address, blockTime: genesis.blockTime }, 'sequencing')
  return new Sequencer(producer, pool, { blockTime: genesis.blockTime, emptyBlocks: genesis.emptyBlocks }, log.child({ module: 'sequencer' }))
}

/** Transactions acknowledged before a crash or stop go back into the pool. */
async function replayJournal(chain: Chain, pool: TxPool, log: Logger): Promise<void> {
  const raws = await chain.journal.load()
  if (raws.length === 0) return
  const results = await pool.addRaw(raws)
  const stale = raws.filter((_, i) => results[i] instanceof Error).map((raw) => chain.crypto.keccak256(raw))
  if (stale.length > 0) await chain.journal.remove(stale)
  log.info({ restored: raws.length - stale.length, dropped: stale.length }, 'transaction journal replayed')
}
