// Key space of the chain database: one leading byte per record type. Retired numbers are never
// reused, so an old database is never misread.
export const Bucket = {
  meta: 0x00,
  /** block hash → RLP header */
  header: 0x01,
  /** block hash → RLP list of serialized transactions */
  body: 0x02,
  /** block hash → concatenated 32-byte transaction hashes */
  txHashes: 0x03,
  /** block hash → concatenated 20-byte transaction senders */
  senders: 0x04,
  /** block hash → RLP list of receipts */
  receipts: 0x05,
  /** 8-byte big-endian number → canonical block hash */
  canonical: 0x06,
  /** transaction hash → 8-byte block number ‖ 4-byte index */
  txIndex: 0x07,
  /** trie node hash (and contract code, under the state manager's own prefix) → node */
  state: 0x08,
  /** block hash → RLP list of [hash, stateRoot] the sequencer signed: signature bytes */
  blockSignature: 0x09,
  /** transaction hash → raw transaction acknowledged by the pool and not yet in a block */
  poolTx: 0x0a,
  /** 8-byte block number ‖ 20-byte validator → RLP [blockHash, stateRoot, signature] */
  attestation: 0x0b,
  /** receipt hash → RLP outcome of its settlement (block, split, attribution) */
  receiptOutcome: 0x0c,
  /** receipt hash → RLP signed receipt acknowledged by the receipt pool and not yet settled */
  poolReceipt: 0x0d,
  /** scoring graph id (keccak of its bytes) → ONNX bytes */
  scoringGraph: 0x0e,
  /** caches derived from state (attribution prefixes), keyed by what they were derived from; safe to delete */
  derived: 0x0f,
  /** 8-byte contribution id → what it earned and the counters at which it last earned, as of the statistics checkpoint */
  contributionStats: 0x10,
  /** 8-byte block number → what the block changed of contribution statistics (its log) */
  contributionStatsLog: 0x11,
} as const
export type Bucket = (typeof Bucket)[keyof typeof Bucket]

export const MetaKey = {
  head: 'head',
  genesis: 'genesis',
  schema: 'schema',
  safe: 'safe',
  /** keccak of the genesis the database was created from, as JSON */
  genesisInput: 'genesis-input',
  /** the block the contribution statistics rows on disk are as of */
  statsCheckpoint: 'contribution-stats-checkpoint',
  /** the first block whose contribution statistics log is kept (absent: 1) */
  statsLogsFrom: 'contribution-stats-logs-from',
} as const

export const SCHEMA_VERSION = 1

export function key(bucket: Bucket, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(rest.length + 1)
  out[0] = bucket
  out.set(rest, 1)
  return out
}

export function metaKey(name: string): Uint8Array {
  return key(Bucket.meta, new TextEncoder().encode(name))
}

export function numberKey(n: bigint): Uint8Array {
  const b = new Uint8Array(9)
  b[0] = Bucket.canonical
  new DataView(b.buffer).setBigUint64(1, n)
  return b
}
