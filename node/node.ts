// The opal node: builds every part in order and takes them down in reverse.
//
//   crypto, signature workers → attribution engine (kernel self-test) → precompiles → chain
//   (LevelDB, genesis, head) → txpool and receipt pool (journals replayed) → producer + sequencer
//   (with the sequencer key) → p2p network (follower import, attestations, receipts handed on)
//   → JSON-RPC server (HTTP + WebSocket, /metrics) → block production starts
import { Address, privateToAddress } from '@ethereumjs/util'
import type { Logger } from 'pino'
import {
  BlockProducer, CallExecutor, Chain, LogQuery, Sequencer, TxPool, chainPoolBackend, loadCrypto,
} from '../chain/index.ts'
import type { OpalCrypto, TxPoolError } from '../chain/index.ts'
import { ReceiptPool } from '../chain/receipts/pool.ts'
import type { SequencerBatch } from '../chain/receipts/sequencerBatch.ts'
import type { Genesis } from '../genesis/index.ts'
import { blockSigningHash, sign } from '../p2p/index.ts'
import type { AttributionEngine, PrecompileSettings } from '../precompiles/index.ts'
import { startRpcServer, standardMethods } from '../rpc/index.ts'
import type { DevAccountKey, MethodTable, RpcBackend, RpcServer } from '../rpc/index.ts'
import { networkMethods } from '../rpc/namespaces/admin.ts'
import { attributionMethods } from '../rpc/namespaces/opal/attribution.ts'
import { receiptMethods } from '../rpc/namespaces/opal/receipts.ts'
import { registryMethods } from '../rpc/namespaces/opal/registries.ts'
import { createPrecompileParts } from './precompiles.ts'
import { startReceipts } from './receiptService.ts'
import { ConfigError } from './config.ts'
import type { NodeConfig } from './config.ts'
import { createDevControls } from './devControls.ts'
import { createMetrics } from './metrics.ts'
import type { NodeMetrics } from './metrics.ts'
import { startNetwork } from './roles.ts'
import type { NetworkRole } from './roles.ts'
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
  readonly receipts: ReceiptPool
  readonly engine: AttributionEngine
  readonly sequencer: Sequencer | undefined
  readonly net: NetworkRole | undefined
  readonly rpc: RpcServer
  readonly #metrics: NodeMetrics
  readonly #log: Logger
  readonly #closers: Array<() => Promise<void>>
  #stopping: Promise<void> | undefined

  private constructor(
    config: NodeConfig,
    log: Logger,
    parts: { chain: Chain; pool: TxPool; receipts: ReceiptPool; engine: AttributionEngine; sequencer: Sequencer | undefined; net: NetworkRole | undefined; rpc: RpcServer; metrics: NodeMetrics },
    closers: Array<() => Promise<void>>,
  ) {
    this.config = config
    this.#log = log
    this.chain = parts.chain
    this.pool = parts.pool
    this.receipts = parts.receipts
    this.engine = parts.engine
    this.sequencer = parts.sequencer
    this.net = parts.net
    this.rpc = parts.rpc
    this.#metrics = parts.metrics
    this.#closers = closers
  }

  static async start(config: NodeConfig, parts: NodeParts, log: Logger): Promise<OpalNode> {
    const crypto = await loadCrypto()
    log.info({ keccak: crypto.backends.keccak, secp256k1: crypto.backends.secp256k1 }, 'crypto backends')
    const genesis = config.blockTime === undefined ? parts.genesis : { ...parts.genesis, blockTime: config.blockTime }
    if (config.validatorKey !== undefined) {
      const validator = new Address(privateToAddress(hexKey(config.validatorKey))).toString()
      // attestations from a key the genesis does not name count for nothing, and peers reject them
      if (!genesis.validators.includes(validator as `0x${string}`)) throw new ConfigError(`the validator key is for ${validator}, which the genesis does not name as a validator`)
    }
    const pre = await createPrecompileParts(genesis, crypto, { kernel: config.attributionKernel, threads: config.attributionThreads })
    const { settings, precompiles, engine, signatures, receiptSigners } = pre
    log.info({ kernel: engine.kernel, reason: engine.kernelReason, threads: config.attributionThreads }, 'attribution kernel')
    let chain: Chain
    try {
      // development snapshots rewind to any block: the statistics keep what rebuilds them at any block
      chain = await Chain.open({ dataDir: config.dataDir, genesis, crypto, archive: config.archive, extensions: precompiles, keepStatsLogs: config.dev || config.archive })
    } catch (err) {
      await pre.close()
      throw err
    }
    log.info({ dataDir: config.dataDir, head: Number(chain.head.number), chainId: Number(chain.chainId) }, 'chain opened')
    await engine.usePrefixStore(chain.derivedStore())
    // registered scoring graphs are read from the blocks that registered them (the chain opens after the engine)
    engine.useGraphSource((id) => chain.store.scoringGraph(id))
    const closers: Array<() => Promise<void>> = [() => pre.close()]
    try {
      const pool = new TxPool(chain.common, chainPoolBackend(chain), { maxTotal: config.txpoolMaxTotal, maxPerSender: config.txpoolMaxPerSender }, signatures)
      await replayJournal(chain, pool, log)
      // a follower remembers the signers of receipts it admitted for when it executes the block
      // settling them; a sequencer settles its own batches from its pool (SequencerBatch), and
      // remembering ~250 bytes a receipt only fed the garbage collector
      const receipts = new ReceiptPool(chain, settings, engine, config.sequencerKey === undefined ? receiptSigners : signatures)
      const restored = await receipts.restore()
      if (restored > 0) log.info({ restored }, 'receipt journal replayed')
      const sequencer = await createSequencer(config, genesis, settings, chain, pool, { pool: receipts, checked: pre.sequencerBatch }, crypto, log)
      const metrics = createMetrics(chain, pool, engine)
      const net = config.p2p
        ? await startNetwork(
            {
              dataDir: config.dataDir,
              host: config.p2pHost,
              port: config.p2pPort,
              bootnodes: config.bootnodes.split(',').map((b) => b.trim()).filter((b) => b.length > 0),
              mdns: config.mdns,
              follow: config.follow,
              sequencing: sequencer !== undefined,
              validatorKey: config.validatorKey === undefined ? undefined : hexKey(config.validatorKey),
            },
            chain,
            pool,
            log,
            metrics.registry,
          )
        : undefined
      if (net !== undefined) closers.push(() => net.stop())
      const receiptRole = startReceipts(receipts, net?.network, sequencer !== undefined, log.child({ module: 'receipts' }))
      closers.push(async () => receiptRole.stop())
      const backend: RpcBackend = {
        chain,
        pool,
        calls: new CallExecutor(chain),
        logs: new LogQuery(chain),
        clientVersion: CLIENT_VERSION,
        submitTransactions: async (raws): Promise<Array<Uint8Array | TxPoolError>> => {
          const results = await pool.addRaw(raws)
          // a follower's transactions go to the sequencer (and everyone else) by gossip
          if (net !== undefined && sequencer === undefined) {
            raws.forEach((raw, i) => {
              if (results[i] instanceof Uint8Array) net.network.publishTransaction(raw).catch(() => undefined)
            })
          }
          return results
        },
        network: () => ({ listening: net !== undefined, peerCount: net?.network.peers().length ?? 0 }),
        syncStatus: () => {
          const s = net?.network.syncStatus()
          return s === undefined || !s.syncing ? false : s
        },
        signers: parts.signers ?? [],
        dev: config.dev && sequencer !== undefined ? createDevControls(chain, pool, sequencer) : undefined,
        receipts: receiptRole.service,
      }
      const methods = {
        ...standardMethods({ dev: config.dev }),
        ...registryMethods(precompiles.settings),
        ...receiptMethods,
        ...attributionMethods(settings, engine),
        ...networkMethods(net),
        ...(parts.extraMethods ?? {}),
      }
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
      log.info({ http: rpc.url, ws: rpc.wsUrl, role: sequencer !== undefined ? 'sequencer' : config.follow ? 'follower' : 'standalone' }, 'JSON-RPC listening')
      return new OpalNode(config, log, { chain, pool, receipts, engine, sequencer, net, rpc, metrics }, closers)
    } catch (err) {
      for (const close of closers.reverse()) await close()
      await chain.close()
      throw err
    }
  }

  /** Stops taking requests, lets the block in progress commit, leaves the network, closes the database. */
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

function hexKey(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'))
}

/** Share of each block's gas the settlement of receipts may take: the rest is for transactions. */
const SETTLEMENT_GAS_BPS = 7_500
/** Largest settlement batch, in bytes of receipts (a block must stay small enough to gossip). */
const SETTLEMENT_MAX_BYTES = 6 * 1024 * 1024

async function createSequencer(
  config: NodeConfig, genesis: Genesis, settings: PrecompileSettings, chain: Chain, pool: TxPool, receipts: { pool: ReceiptPool; checked: SequencerBatch }, crypto: OpalCrypto, log: Logger,
): Promise<Sequencer | undefined> {
  if (config.sequencerKey === undefined) return undefined
  const key = hexKey(config.sequencerKey)
  const address = new Address(privateToAddress(key)).toString()
  if (address !== genesis.sequencer) {
    throw new ConfigError(`the sequencer key is for ${address}, but the genesis names ${genesis.sequencer} as sequencer`)
  }
  const producer = new BlockProducer(
    chain,
    pool,
    // every block carries the sequencer's signature, for followers and for serving sync
    {
      coinbase: genesis.feeRecipient,
      sign: (hash) => sign(crypto, blockSigningHash(crypto, chain.chainId, hash), key),
      settlement: { ...receipts, receipts: settings.addresses.receipts.bytes, key, maxGasBps: SETTLEMENT_GAS_BPS, maxBatchBytes: SETTLEMENT_MAX_BYTES },
    },
    log.child({ module: 'producer' }),
  )
  await producer.init()
  log.info({ sequencer: address, blockTime: genesis.blockTime }, 'sequencing')
  return new Sequencer(producer, pool, { blockTime: genesis.blockTime, emptyBlocks: genesis.emptyBlocks }, log.child({ module: 'sequencer' }), receipts.pool)
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
