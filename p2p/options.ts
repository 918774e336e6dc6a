export interface P2POptions {
  /** where the persistent peer key lives (file p2p-key) */
  dataDir: string
  /** listen address; port 0 picks a free port */
  host: string
  port: number
  /** multiaddrs of peers to dial at start and keep dialing */
  bootnodes: string[]
  /** find peers on the local network by mDNS */
  mdns: boolean
  maxConnections: number
  /** the 20-byte address whose signature a block must carry */
  sequencer: Uint8Array
  /** addresses whose attestations count */
  validators: Uint8Array[]
  /** largest gossip message per topic, in bytes */
  maxBlockBytes: number
  maxTxBytes: number
  maxReceiptsBytes: number
  /** a block number further than this behind the head is ignored, further ahead is ignored too */
  windowBehind: bigint
  windowAhead: bigint
  /** seconds a block's timestamp may be ahead of our clock */
  maxClockSkew: bigint
  /** rejected messages within banWindowMs that get a peer banned, and for how long */
  banThreshold: number
  banWindowMs: number
  banDurationMs: number
  /** blocks per range request, and blocks a peer may fetch from us per second */
  maxBlocksPerRequest: number
  servedBlocksPerSecond: number
  /** how many blocks from gossip may wait for a missing parent */
  pendingBlocks: number
}

export const DEFAULT_P2P_OPTIONS: Omit<P2POptions, 'dataDir' | 'sequencer' | 'validators'> = {
  host: '127.0.0.1',
  port: 30333,
  bootnodes: [],
  mdns: false,
  maxConnections: 64,
  maxBlockBytes: 10 * 1024 * 1024,
  maxTxBytes: 128 * 1024,
  maxReceiptsBytes: 8 * 1024 * 1024,
  windowBehind: 64n,
  windowAhead: 1024n,
  maxClockSkew: 5n,
  banThreshold: 5,
  banWindowMs: 60_000,
  banDurationMs: 10 * 60_000,
  maxBlocksPerRequest: 256,
  servedBlocksPerSecond: 4096,
  pendingBlocks: 1024,
}
