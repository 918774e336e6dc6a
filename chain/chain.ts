// The chain: a LevelDB of blocks, receipts, indexes and state; its head; block commits as one
// atomic batch; read access by number, hash and tag; state views at any retained block.
//
//   open(dataDir) ──► genesis written once ──► head read back on every restart
//   commit(executed) ──► [block, receipts, indexes, state nodes, head] in one batch ──► 'block'
import { EventEmitter } from 'node:events'
import type { Block, BlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createVM } from '@ethereumjs/vm'
import type { VM } from '@ethereumjs/vm'
import { genesisToJson } from '../genesis/index.ts'
import type { Genesis } from '../genesis/index.ts'
import { createChainCommon } from './common.ts'
import type { OpalCrypto } from './crypto.ts'
import { BlockStore } from './db/blockStore.ts'
import { Bucket, MetaKey, SCHEMA_VERSION, key, metaKey, numberKey } from './db/buckets.ts'
import { openLevel } from './db/level.ts'
import type { Level } from './db/level.ts'
import { StateDB } from './db/stateDb.ts'
import { ChainError } from './errors.ts'
import { NO_EXTENSIONS } from './extensions.ts'
import type { EvmExtensions } from './extensions.ts'
import type { PrefixStore } from '../precompiles/attribution/engine.ts'
import { buildGenesisBlock } from './genesisBlock.ts'
import { ContributionStatsIndex } from './db/contributionStats.ts'
import { Journal } from './db/journal.ts'
import { createExecutionState, createReadView, createStateView, createTrieEngine } from './state.ts'
import type { TrieEngine } from './trie/engine.ts'
import type { BlockSelector, ExecutedBlock, StoredReceipt, TxWithContext } from './types.ts'
import { equal, toHex } from './util/bytes.ts'

export interface ChainOptions {
  dataDir: string
  genesis: Genesis
  crypto: OpalCrypto
  /** keep and serve state of every block; otherwise the last `stateWindow` blocks */
  archive?: boolean
  stateWindow?: number
  extensions?: EvmExtensions
  /** `finalized` trails `safe` by at least this many blocks until a settlement layer exists */
  finalityDepth?: number
  /**
   * keep every block's contribution statistics log, so the chain can rewind to any block
   * (development snapshots); otherwise it can rewind to the last statistics checkpoint (at most
   * 128 blocks back)
   */
  keepStatsLogs?: boolean
}

export interface ChainEvents {
  block: [ExecutedBlock]
}

export class Chain extends EventEmitter<ChainEvents> {
  readonly common: Common
  readonly genesis: Genesis
  readonly crypto: OpalCrypto
  readonly store: BlockStore
  readonly stateDb: StateDB
  readonly archive: boolean
  readonly stateWindow: bigint
  readonly extensions: EvmExtensions
  /** transactions the pool acknowledged, until mined */
  readonly journal: Journal
  /** receipts the receipt pool acknowledged, until settled */
  readonly receiptJournal: Journal
  readonly finalityDepth: bigint
  /** what each contribution earned, derived from the settlements of the canonical blocks */
  contributionStats!: ContributionStatsIndex
  readonly #keepStatsLogs: boolean
  readonly #db: Level
  #head!: BlockHeader
  #genesisHash!: Uint8Array
  #safe = 0n
  #closed = false
  /**
   * The one trie engine over the state database, for the executing state and the warm views:
   * its decoded nodes are content-addressed (never stale), so one cache serves every head in turn
   */
  readonly #engine: TrieEngine
  readonly #warmViews: Record<'read' | 'call', { root: Uint8Array; state: MerkleStateManager } | undefined> = { read: undefined, call: undefined }

  private constructor(db: Level, opts: ChainOptions, common: Common) {
    super()
    this.#db = db
    this.common = common
    this.genesis = opts.genesis
    this.crypto = opts.crypto
    this.store = new BlockStore(db, common)
    this.stateDb = new StateDB(db)
    this.#engine = createTrieEngine(this.stateDb, common)
    this.archive = opts.archive ?? false
    this.stateWindow = BigInt(opts.stateWindow ?? 128)
    this.extensions = opts.extensions ?? NO_EXTENSIONS
    this.journal = new Journal(db, Bucket.poolTx)
    this.receiptJournal = new Journal(db, Bucket.poolReceipt)
    this.finalityDepth = BigInt(opts.finalityDepth ?? 64)
    this.#keepStatsLogs = opts.keepStatsLogs ?? false
  }

  static async open(opts: ChainOptions): Promise<Chain> {
    const common = createChainCommon(opts.genesis.chainId, opts.crypto)
    const db = await openLevel(opts.dataDir)
    const chain = new Chain(db, opts, common)
    try {
      await chain.#init()
    } catch (err) {
      await db.close()
      throw err
    }
    return chain
  }

  async #init(): Promise<void> {
    const storedGenesis = await this.store.getMeta(MetaKey.genesis)
    const inputHash = this.crypto.keccak256(new TextEncoder().encode(JSON.stringify(genesisToJson(this.genesis, { withRuntime: false }))))
    // a big genesis (many accounts or seeded registries) takes long to rebuild: when the genesis
    // given is byte-for-byte the one the database was created from, its stored block is used
    if (storedGenesis !== undefined && equal((await this.store.getMeta(MetaKey.genesisInput)) ?? new Uint8Array(), inputHash)) {
      this.#genesisHash = storedGenesis
    } else {
      const genesisBlock = await buildGenesisBlock(this.genesis, this.common, this.stateDb, await this.extensions.genesisAlloc(this.genesis.timestamp))
      if (storedGenesis === undefined) {
        const executed: ExecutedBlock = { block: genesisBlock, receipts: [], senders: [] }
        const ops = [
          ...this.stateDb.drain().map((o) => ({ type: 'put' as const, ...o })),
          ...this.store.putOps(executed),
          this.store.headOp(genesisBlock.hash()),
          { type: 'put' as const, key: metaKey(MetaKey.genesis), value: genesisBlock.hash() },
          { type: 'put' as const, key: metaKey(MetaKey.genesisInput), value: inputHash },
          { type: 'put' as const, key: metaKey(MetaKey.schema), value: Uint8Array.of(SCHEMA_VERSION) },
        ]
        await this.#db.batch(ops)
      } else {
        this.stateDb.drain()
        if (!equal(storedGenesis, genesisBlock.hash())) {
          throw new ChainError(
            'GENESIS_MISMATCH',
            `the data directory holds a different chain (genesis ${toHex(storedGenesis)}, this genesis gives ${toHex(genesisBlock.hash())}); use another --data-dir`,
          )
        }
        await this.#db.put(metaKey(MetaKey.genesisInput), inputHash)
      }
      this.#genesisHash = genesisBlock.hash()
    }
    const headHash = await this.store.getMeta(MetaKey.head)
    const head = headHash === undefined ? undefined : await this.store.header(headHash)
    if (head === undefined) throw new ChainError('CORRUPT', 'the database has no readable head block')
    this.#head = head
    this.contributionStats = await ContributionStatsIndex.open(this.#db, head.number, this.#keepStatsLogs)
  }

  get head(): BlockHeader {
    return this.#head
  }

  /** A store for caches derived from state: never part of a block's batch, safe to lose. */
  derivedStore(): PrefixStore {
    return {
      get: (k) => this.#db.get(key(Bucket.derived, k)),
      put: (k, v) => this.#db.put(key(Bucket.derived, k), v),
    }
  }

  /** The chain database, for components that keep records beside the chain (attestations). */
  get database(): Level {
    return this.#db
  }

  get genesisHash(): Uint8Array {
    return this.#genesisHash
  }

  get chainId(): bigint {
    return this.genesis.chainId
  }

  /**
   * Highest block attested by a validator quorum. A chain without validators has nobody to
   * attest: every block its sequencer commits is as safe as it gets.
   */
  get safeNumber(): bigint {
    return this.genesis.validators.length === 0 ? this.#head.number : this.#safe
  }

  /** Safe, and at least `finalityDepth` blocks deep. */
  get finalizedNumber(): bigint {
    const deep = this.#head.number - this.finalityDepth
    const safe = this.safeNumber
    const n = safe < deep ? safe : deep
    return n > 0n ? n : 0n
  }

  setSafe(n: bigint): void {
    if (n > this.#safe && n <= this.#head.number) this.#safe = n
  }

  /** Stores a block with its receipts, indexes and the state nodes its execution wrote, atomically. */
  async commit(executed: ExecutedBlock): Promise<void> {
    if (this.#closed) throw new ChainError('CLOSED', 'the chain is closed')
    const { block } = executed
    if (block.header.number !== this.#head.number + 1n || !equal(block.header.parentHash, this.#head.hash())) {
      throw new ChainError('NOT_NEXT', `block ${block.header.number} does not extend the head ${this.#head.number}`)
    }
    const stats = this.contributionStats.commit(block.header.number, executed.artifacts?.earnings ?? [])
    const ops = [
      ...this.stateDb.drain().map((o) => ({ type: 'put' as const, ...o })),
      ...this.store.putOps(executed),
      ...stats.ops,
      this.store.headOp(block.hash()),
    ]
    // synced: a block is gossiped and its journal entries are dropped once it is committed
    await this.#db.batch(ops, { sync: true })
    stats.apply()
    this.store.remember(executed)
    this.#head = block.header
    this.emit('block', executed)
  }

  /**
   * Makes block `n` the head again, forgetting the canonical entries and transaction index of
   * every later block (development snapshots). State nodes of later blocks stay on disk unused.
   */
  async rewind(n: bigint): Promise<void> {
    if (n > this.#head.number) throw new ChainError('NOT_NEXT', `cannot rewind to ${n}: the head is ${this.#head.number}`)
    const target = await this.header(n)
    if (target === undefined) throw new ChainError('BLOCK_NOT_FOUND', `block ${n} not found`)
    const ops: Array<{ type: 'del'; key: Uint8Array } | { type: 'put'; key: Uint8Array; value: Uint8Array }> = []
    for (let m = this.#head.number; m > n; m--) {
      const hash = await this.store.hashByNumber(m)
      if (hash === undefined) continue
      for (const txHash of (await this.store.txHashes(hash)) ?? []) ops.push({ type: 'del', key: key(Bucket.txIndex, txHash) })
      ops.push({ type: 'del', key: numberKey(m) })
    }
    const stats = await this.contributionStats.rewind(this.#head.number, n)
    ops.push(...stats.ops, this.store.headOp(target.hash()))
    await this.#db.batch(ops)
    stats.apply()
    this.store.forgetCanonical()
    this.#head = target
    if (this.#safe > n) this.#safe = n
  }

  /** Resolves a block number, tag or hash to a header, or undefined if there is none. */
  async header(sel: BlockSelector): Promise<BlockHeader | undefined> {
    if (typeof sel === 'object') {
      const h = await this.store.header(sel.hash)
      if (h !== undefined && sel.requireCanonical === true) {
        const canonical = await this.store.hashByNumber(h.number)
        if (canonical === undefined || !equal(canonical, sel.hash)) return undefined
      }
      return h
    }
    const n = this.resolveNumber(sel)
    if (n === undefined) return undefined
    if (n === this.#head.number) return this.#head
    const hash = await this.store.hashByNumber(n)
    return hash === undefined ? undefined : this.store.header(hash)
  }

  async block(sel: BlockSelector): Promise<Block | undefined> {
    const header = await this.header(sel)
    return header === undefined ? undefined : this.store.block(header.hash())
  }

  /** Number for a tag or number; undefined when the number is past the head. */
  resolveNumber(sel: Exclude<BlockSelector, { hash: Uint8Array }>): bigint | undefined {
    switch (sel) {
      case 'latest':
      case 'pending':
        return this.#head.number
      case 'earliest':
        return 0n
      case 'safe':
        return this.safeNumber
      case 'finalized':
        return this.finalizedNumber
      default:
        return sel <= this.#head.number ? sel : undefined
    }
  }

  async receipts(blockHash: Uint8Array): Promise<StoredReceipt[] | undefined> {
    return this.store.receipts(blockHash)
  }

  async transaction(txHash: Uint8Array): Promise<TxWithContext | undefined> {
    const loc = await this.store.txLocation(txHash)
    if (loc === undefined) return undefined
    const block = await this.store.block(loc.blockHash)
    const senders = await this.store.senders(loc.blockHash)
    if (block === undefined || senders === undefined) return undefined
    return { ...loc, tx: block.transactions[loc.index], sender: senders[loc.index], header: block.header }
  }

  /**
   * A private view of the state at a block, to read and to write into without committing
   * (calls, overrides); throws ChainError STATE_UNAVAILABLE outside the retained window.
   */
  async stateAt(header: BlockHeader): Promise<MerkleStateManager> {
    this.#checkRetained(header)
    return createStateView(this.stateDb, this.common, header.stateRoot)
  }

  /**
   * A view for reads only. At the head it is one shared view whose caches stay warm until the
   * next block, so repeated reads (balances, registry lookups) skip the trie. Never write to it.
   */
  async readState(header: BlockHeader): Promise<MerkleStateManager> {
    return this.#warm('read', header)
  }

  /**
   * The warm view that calls (eth_call, estimates) run on at the head, apart from the readers'
   * view: a call's writes, undone when it ends, must never be seen by a concurrent reader.
   * Calls take turns on it.
   */
  async callState(header: BlockHeader): Promise<MerkleStateManager> {
    return this.#warm('call', header)
  }

  /** A long-lived view at the head (kept until the next block), or a fresh one at older blocks. */
  #warm(kind: 'read' | 'call', header: BlockHeader): MerkleStateManager {
    this.#checkRetained(header)
    if (!equal(header.stateRoot, this.#head.stateRoot)) return createStateView(this.stateDb, this.common, header.stateRoot)
    const view = this.#warmViews[kind]
    if (view !== undefined && equal(view.root, header.stateRoot)) return view.state
    const fresh = { root: header.stateRoot, state: createReadView(this.stateDb, this.common, header.stateRoot, this.#engine) }
    this.#warmViews[kind] = fresh
    return fresh.state
  }

  #checkRetained(header: BlockHeader): void {
    if (!this.archive && this.#head.number - header.number > this.stateWindow) {
      throw new ChainError(
        'STATE_UNAVAILABLE',
        `state of block ${header.number} is not available: this node keeps the state of the last ${this.stateWindow} blocks (run with --archive for all)`,
      )
    }
  }

  /** The long-lived, cached state that block production and import execute on. */
  createExecutionState(): MerkleStateManager {
    return createExecutionState(this.stateDb, this.common, this.#head.stateRoot, this.#engine)
  }

  /** A VM over the given state with this chain's rules, precompiles and block hashes. */
  async createVM(stateManager: MerkleStateManager): Promise<VM> {
    const store = this.store
    const vm = await createVM({
      common: this.common,
      stateManager,
      blockchain: {
        async getBlock(n: number) {
          const hash = await store.hashByNumber(BigInt(n))
          return { hash: () => hash ?? new Uint8Array(32) }
        },
        async putBlock() {},
        shallowCopy() {
          return this
        },
      },
      evmOpts: { customPrecompiles: this.extensions.customPrecompiles },
    })
    this.extensions.attach(vm.evm as Parameters<EvmExtensions['attach']>[0])
    return vm
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.journal.settle()
    await this.receiptJournal.settle()
    await this.#db.close()
  }
}
