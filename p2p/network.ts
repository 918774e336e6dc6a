// The opal network: gossip of blocks, transactions, receipts and attestations, request/response
// sync, and the penalties for peers that send garbage.
//
//   message ─► topic validator (validation.ts) ─► ACCEPT: forwarded + handed on (sync queue or
//                                                 handler) / IGNORE / REJECT: strike the sender,
//                                                 ban (disconnect, refuse) past the threshold
//   peer connects ─► status exchange ─► sync learns its head ─► ranges fetched when behind
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { Counter, Gauge } from 'prom-client'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { OpalCrypto } from '../chain/crypto.ts'
import { PeerBans } from './bans.ts'
import { createHost } from './host.ts'
import type { OpalLibp2p } from './host.ts'
import type { Attestation, NodeInfo, P2PChain, P2PNetwork, PeerSummary, SignedBlock, SyncStatus } from './interface.ts'
import { encodeAttestation, encodeBlockMessage } from './messages.ts'
import { DEFAULT_P2P_OPTIONS } from './options.ts'
import type { P2POptions } from './options.ts'
import { ReqResp } from './reqresp.ts'
import { blockSigningHash, recoverSigner } from './signing.ts'
import { Syncer } from './sync.ts'
import { TOPICS, topicName } from './topics.ts'
import type { Topic } from './topics.ts'
import { GossipError, SeenCache, validateAttestation, validateBlock, validateReceipts, validateTx } from './validation.ts'

export interface NetworkDeps {
  chain: P2PChain
  crypto: OpalCrypto
  log: Logger
  metrics?: Registry
}

type Handler = (data: Uint8Array, from: string) => void

const RESULTS = { accept: TopicValidatorResult.Accept, ignore: TopicValidatorResult.Ignore, reject: TopicValidatorResult.Reject } as const

const STATUS_REFRESH_MS = 5_000

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
function wallClock(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000
}

export class OpalNetwork implements P2PNetwork {
  readonly #opts: P2POptions
  readonly #d: NetworkDeps
  readonly #libp2p: OpalLibp2p
  readonly #bans: PeerBans
  readonly #reqresp: ReqResp
  readonly #syncer: Syncer
  readonly #seenBlocks = new SeenCache()
  readonly #seenAttestations = new SeenCache()
  readonly #handlers: { txs: Handler[]; receipts: Handler[]; attestations: Array<(a: Attestation, from: string) => void> } = { txs: [], receipts: [], attestations: [] }
  readonly #messages: Counter<'topic' | 'result'> | undefined
  readonly #peerHeads = new Map<string, bigint>()
  #timer: NodeJS.Timeout | undefined

  private constructor(opts: P2POptions, deps: NetworkDeps, libp2p: OpalLibp2p, bans: PeerBans) {
    this.#opts = opts
    this.#d = deps
    this.#libp2p = libp2p
    this.#bans = bans
    this.#reqresp = new ReqResp({
      libp2p: libp2p as never,
      chain: deps.chain,
      crypto: deps.crypto,
      maxBlocksPerRequest: opts.maxBlocksPerRequest,
      servedBlocksPerSecond: opts.servedBlocksPerSecond,
      onAbuse: (peer) => this.#strike(peer, 'request abuse'),
    })
    this.#syncer = new Syncer({
      chain: deps.chain,
      fetchRange: (peer, from, count) => this.#reqresp.blocksByRange(peerIdFromString(peer), from, count),
      verify: (b) => this.#signedBySequencer(b),
      penalize: (peer, reason) => this.#strike(peer, reason),
      log: deps.log,
      chunk: opts.maxBlocksPerRequest,
      parallel: 4,
      maxQueued: opts.pendingBlocks,
    })
    if (deps.metrics !== undefined) {
      this.#messages = new Counter({ name: 'opal_gossip_messages_total', help: 'Gossip messages by topic and validation result', labelNames: ['topic', 'result'], registers: [deps.metrics] })
      new Gauge({ name: 'opal_p2p_peers', help: 'Connected peers', registers: [deps.metrics], collect: () => undefined }).set(0)
    }
  }

  static async create(options: Partial<P2POptions> & Pick<P2POptions, 'dataDir' | 'sequencer' | 'validators'>, deps: NetworkDeps): Promise<OpalNetwork> {
    const opts: P2POptions = { ...DEFAULT_P2P_OPTIONS, ...options }
    const bans = new PeerBans(opts.banThreshold, opts.banWindowMs, opts.banDurationMs)
    return new OpalNetwork(opts, deps, await createHost(opts, bans), bans)
  }

  get peerId(): string {
    return this.#libp2p.peerId.toString()
  }

  async start(): Promise<void> {
    const lp = this.#libp2p
    await lp.start()
    await this.#reqresp.start()
    const pubsub = lp.services.pubsub
    const validators: Record<Topic, (data: Uint8Array, from: string) => void> = {
      blocks: (data, from) => {
        const b = validateBlock(data, this.#blockRules())
        // when it arrived, for propagation measurements (bench:p2p reads these lines)
        this.#d.log.info({ number: Number(b.number), from, at: wallClock() }, 'block received')
        queueMicrotask(() => this.#syncer.offer(b, from))
      },
      txs: (data, from) => {
        const raw = validateTx(data, this.#opts.maxTxBytes, (r) => this.#d.chain.checkTransaction(r))
        queueMicrotask(() => this.#handlers.txs.forEach((h) => h(raw, from)))
      },
      receipts: (data, from) => {
        const payload = validateReceipts(data, this.#opts.maxReceiptsBytes)
        queueMicrotask(() => this.#handlers.receipts.forEach((h) => h(payload, from)))
      },
      attestations: (data, from) => {
        const a = validateAttestation(data, {
          chainId: this.#d.chain.chainId,
          validators: new Set(this.#opts.validators.map((v) => Buffer.from(v).toString('hex'))),
          seen: this.#seenAttestations,
          crypto: this.#d.crypto,
        })
        queueMicrotask(() => this.#handlers.attestations.forEach((h) => h(a, from)))
      },
    }
    for (const topic of TOPICS) {
      const name = topicName(this.#d.chain.chainId, topic)
      pubsub.topicValidators.set(name, (peer, msg) => RESULTS[this.#validate(topic, validators[topic], msg.data, peer.toString())])
      pubsub.subscribe(name)
    }
    lp.addEventListener('peer:connect', (e) => void this.#exchangeStatus(e.detail.toString()))
    lp.addEventListener('peer:disconnect', (e) => {
      this.#syncer.peerGone(e.detail.toString())
      this.#peerHeads.delete(e.detail.toString())
    })
    this.#timer = setInterval(() => {
      for (const p of lp.getPeers()) void this.#exchangeStatus(p.toString())
    }, STATUS_REFRESH_MS)
    this.#timer.unref()
    for (const addr of this.#opts.bootnodes) {
      lp.dial(multiaddr(addr)).catch((err: Error) => this.#d.log.debug({ addr, err: err.message }, 'bootnode dial failed'))
    }
    this.#d.log.info({ peerId: this.peerId, addresses: this.multiaddrs() }, 'p2p listening')
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#syncer.stop()
    await this.#libp2p.stop()
  }

  multiaddrs(): string[] {
    return this.#libp2p.getMultiaddrs().map((m) => m.toString())
  }

  /** The one place where validation outcomes become gossipsub results, metrics and penalties. */
  #validate(topic: Topic, fn: (data: Uint8Array, from: string) => void, data: Uint8Array, from: string): 'accept' | 'ignore' | 'reject' {
    try {
      fn(data, from)
      this.#messages?.inc({ topic, result: 'accept' })
      return 'accept'
    } catch (err) {
      // a validator that throws anything but a GossipError met input it did not expect: reject
      const e = err instanceof GossipError ? err : new GossipError('reject', 'VALIDATOR_ERROR', (err as Error).message)
      this.#messages?.inc({ topic, result: e.action })
      this.#d.log.debug({ topic, from, code: e.code, reason: e.message }, `gossip ${e.action}`)
      if (e.action === 'reject') this.#strike(from, `${topic}: ${e.code}`)
      return e.action
    }
  }

  #blockRules() {
    return {
      chainId: this.#d.chain.chainId,
      sequencer: this.#opts.sequencer,
      maxBytes: this.#opts.maxBlockBytes,
      windowBehind: this.#opts.windowBehind,
      windowAhead: this.#opts.windowAhead,
      maxClockSkew: this.#opts.maxClockSkew,
      headNumber: () => this.#d.chain.head().number,
      now: () => BigInt(Math.floor(Date.now() / 1000)),
      seen: this.#seenBlocks,
      crypto: this.#d.crypto,
    }
  }

  #signedBySequencer(b: SignedBlock): boolean {
    const signer = recoverSigner(this.#d.crypto, blockSigningHash(this.#d.crypto, this.#d.chain.chainId, b.hash), b.signature)
    return signer !== undefined && Buffer.compare(signer, this.#opts.sequencer) === 0
  }

  #strike(peer: string, reason: string): void {
    if (!this.#bans.strike(peer)) return
    this.#d.log.warn({ peer, reason }, 'peer banned for sending invalid data')
    this.#syncer.peerGone(peer)
    this.#libp2p.hangUp(peerIdFromString(peer)).catch(() => undefined)
  }

  async #exchangeStatus(peer: string): Promise<void> {
    try {
      const s = await this.#reqresp.status(peerIdFromString(peer))
      if (s.chainId !== this.#d.chain.chainId) {
        this.#d.log.debug({ peer, chainId: Number(s.chainId) }, 'peer is on another chain')
        await this.#libp2p.hangUp(peerIdFromString(peer))
        return
      }
      this.#peerHeads.set(peer, s.number)
      this.#syncer.peerHead(peer, s.number)
    } catch (err) {
      this.#d.log.debug({ peer, err: (err as Error).message }, 'status request failed')
    }
  }

  async #publish(topic: Topic, data: Uint8Array): Promise<void> {
    await this.#libp2p.services.pubsub.publish(topicName(this.#d.chain.chainId, topic), data)
  }

  async publishBlock(block: SignedBlock): Promise<void> {
    this.#seenBlocks.check(`${block.number}:${Buffer.from(block.hash).toString('hex')}`)
    const data = encodeBlockMessage(block)
    this.#d.log.info({ number: Number(block.number), bytes: data.length, at: wallClock() }, 'block published')
    await this.#publish('blocks', data)
  }

  async publishTransaction(rawTx: Uint8Array): Promise<void> {
    await this.#publish('txs', rawTx)
  }

  async publishReceipts(payload: Uint8Array): Promise<void> {
    await this.#publish('receipts', payload)
  }

  async publishAttestation(a: Attestation): Promise<void> {
    await this.#publish('attestations', encodeAttestation(a))
  }

  onTransaction(h: Handler): void {
    this.#handlers.txs.push(h)
  }

  onReceipts(h: Handler): void {
    this.#handlers.receipts.push(h)
  }

  onAttestation(h: (a: Attestation, from: string) => void): void {
    this.#handlers.attestations.push(h)
  }

  peers(): PeerSummary[] {
    // the score lives on the implementation, not on gossipsub's published interface
    const pubsub = this.#libp2p.services.pubsub as unknown as { getScore?: (peer: string) => number }
    return this.#libp2p.getConnections().map((c) => ({
      id: c.remotePeer.toString(),
      addresses: [c.remoteAddr.toString()],
      direction: c.direction,
      score: pubsub.getScore?.(c.remotePeer.toString()) ?? 0,
      head: this.#peerHeads.get(c.remotePeer.toString()),
    }))
  }

  nodeInfo(): NodeInfo {
    return { id: this.peerId, addresses: this.multiaddrs(), protocols: this.#libp2p.getProtocols() }
  }

  syncStatus(): SyncStatus {
    return this.#syncer.status()
  }

  isBanned(peer: string): boolean {
    return this.#bans.isBanned(peer)
  }

  /** Dials a peer (tests and admin). */
  async connect(addr: string): Promise<void> {
    await this.#libp2p.dial(multiaddr(addr))
  }
}
