// Blocks, their receipts and indexes in LevelDB. Readers get decoded objects through small LRU
// caches; writers get batch operations, which the chain commits together with the block's state.
import { createBlockFromRLP, createBlockHeaderFromRLP } from '@ethereumjs/block'
import type { Block, BlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { Bucket, key, metaKey, MetaKey, numberKey } from './buckets.ts'
import type { Level } from './level.ts'
import { decodeReceipts, encodeReceipts } from './receiptCodec.ts'
import { decodeOutcome, encodeOutcomes } from '../../precompiles/receipts/outcome.ts'
import type { StoredOutcome } from '../../precompiles/receipts/outcome.ts'
import type { ExecutedBlock, StoredReceipt, TxLocation } from '../types.ts'
import { chunks, concat, readU32, readU64, toHex, u32, u64 } from '../util/bytes.ts'
import { LRU } from '../util/lru.ts'

export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }

export class BlockStore {
  readonly #db: Level
  readonly #common: Common
  readonly #headers = new LRU<string, BlockHeader>(2048)
  readonly #blocks = new LRU<string, Block>(256)
  readonly #receipts = new LRU<string, StoredReceipt[]>(256)
  readonly #hashByNumber = new LRU<bigint, Uint8Array>(4096)

  constructor(db: Level, common: Common) {
    this.#db = db
    this.#common = common
  }

  /** Batch operations that store an executed block and make it canonical at its height. */
  putOps(executed: ExecutedBlock): BatchOp[] {
    const { block, receipts, senders, signature } = executed
    const hash = block.hash()
    const number = block.header.number
    const txHashes = block.transactions.map((tx) => tx.hash())
    const ops: BatchOp[] = [
      { type: 'put', key: key(Bucket.header, hash), value: block.header.serialize() },
      { type: 'put', key: key(Bucket.body, hash), value: block.serialize() },
      { type: 'put', key: key(Bucket.txHashes, hash), value: concat(...txHashes) },
      { type: 'put', key: key(Bucket.senders, hash), value: concat(...senders) },
      { type: 'put', key: key(Bucket.receipts, hash), value: encodeReceipts(receipts) },
      { type: 'put', key: numberKey(number), value: hash },
    ]
    if (signature !== undefined) ops.push({ type: 'put', key: key(Bucket.blockSignature, hash), value: signature })
    const loc = u64(number)
    txHashes.forEach((h, i) => {
      ops.push({ type: 'put', key: key(Bucket.txIndex, h), value: concat(loc, u32(i)) })
      // a mined transaction leaves the pool journal in the same batch that stores it
      ops.push({ type: 'del', key: key(Bucket.poolTx, h) })
    })
    const settlements = executed.artifacts?.settlements ?? []
    const encoded = encodeOutcomes(settlements, number, hash)
    // (the receipt pool deletes a journal entry once all its receipts have an outcome)
    for (const [i, o] of settlements.entries()) ops.push({ type: 'put', key: key(Bucket.receiptOutcome, o.hash), value: encoded[i] })
    for (const g of executed.artifacts?.graphs ?? []) ops.push({ type: 'put', key: key(Bucket.scoringGraph, g.id), value: g.bytes })
    return ops
  }

  /** The bytes of a scoring graph some stored block registered, by its id (keccak256 of the bytes). */
  async scoringGraph(id: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#db.get(key(Bucket.scoringGraph, id))
  }

  /** What became of a receipt, if a block settled (or refused) it. */
  async receiptOutcome(hash: Uint8Array): Promise<StoredOutcome | undefined> {
    const raw = await this.#db.get(key(Bucket.receiptOutcome, hash))
    return raw === undefined ? undefined : decodeOutcome(hash, raw)
  }

  headOp(hash: Uint8Array): BatchOp {
    return { type: 'put', key: metaKey(MetaKey.head), value: hash }
  }

  /** Warms the caches with a block just committed, so readers never decode it again. */
  remember(executed: ExecutedBlock): void {
    const h = toHex(executed.block.hash())
    this.#blocks.set(h, executed.block)
    this.#headers.set(h, executed.block.header)
    this.#receipts.set(h, executed.receipts)
    this.#hashByNumber.set(executed.block.header.number, executed.block.hash())
  }

  /** Drops cached number → hash entries after a rewind (cheap to refill). */
  forgetCanonical(): void {
    this.#hashByNumber.clear()
  }

  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.#db.get(metaKey(name))
  }

  async hashByNumber(n: bigint): Promise<Uint8Array | undefined> {
    const cached = this.#hashByNumber.get(n)
    if (cached !== undefined) return cached
    const hash = await this.#db.get(numberKey(n))
    if (hash !== undefined) this.#hashByNumber.set(n, hash)
    return hash
  }

  async header(hash: Uint8Array): Promise<BlockHeader | undefined> {
    const h = toHex(hash)
    const cached = this.#headers.get(h)
    if (cached !== undefined) return cached
    const rlp = await this.#db.get(key(Bucket.header, hash))
    if (rlp === undefined) return undefined
    const header = createBlockHeaderFromRLP(rlp, { common: this.#common, skipConsensusFormatValidation: true })
    this.#headers.set(h, header)
    return header
  }

  async block(hash: Uint8Array): Promise<Block | undefined> {
    const h = toHex(hash)
    const cached = this.#blocks.get(h)
    if (cached !== undefined) return cached
    const rlp = await this.#db.get(key(Bucket.body, hash))
    if (rlp === undefined) return undefined
    const block = createBlockFromRLP(rlp, { common: this.#common, skipConsensusFormatValidation: true })
    this.#blocks.set(h, block)
    return block
  }

  async blockRlp(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#db.get(key(Bucket.body, hash))
  }

  async signature(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#db.get(key(Bucket.blockSignature, hash))
  }

  async txHashes(hash: Uint8Array): Promise<Uint8Array[] | undefined> {
    const cached = this.#blocks.get(toHex(hash))
    if (cached !== undefined) return cached.transactions.map((tx) => tx.hash())
    const raw = await this.#db.get(key(Bucket.txHashes, hash))
    return raw === undefined ? undefined : chunks(raw, 32)
  }

  async senders(hash: Uint8Array): Promise<Uint8Array[] | undefined> {
    const raw = await this.#db.get(key(Bucket.senders, hash))
    return raw === undefined ? undefined : chunks(raw, 20)
  }

  async receipts(hash: Uint8Array): Promise<StoredReceipt[] | undefined> {
    const h = toHex(hash)
    const cached = this.#receipts.get(h)
    if (cached !== undefined) return cached
    const raw = await this.#db.get(key(Bucket.receipts, hash))
    if (raw === undefined) return undefined
    const receipts = decodeReceipts(raw)
    this.#receipts.set(h, receipts)
    return receipts
  }

  async txLocation(txHash: Uint8Array): Promise<TxLocation | undefined> {
    const raw = await this.#db.get(key(Bucket.txIndex, txHash))
    if (raw === undefined) return undefined
    const blockNumber = readU64(raw, 0)
    const blockHash = await this.hashByNumber(blockNumber)
    if (blockHash === undefined) return undefined
    return { blockNumber, blockHash, index: readU32(raw, 8) }
  }
}
