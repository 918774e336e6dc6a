// State managers over the persistent trie: one long-lived, cached instance that executes blocks,
// and cheap read-only views at any committed state root for RPC reads.
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { Caches, CacheType, MerkleStateManager } from '@ethereumjs/statemanager'
import { ValueEncoding } from '@ethereumjs/util'
import type { Common } from '@ethereumjs/common'
import { keccak_256 } from '@noble/hashes/sha3.js'
import type { StateDB } from './db/stateDb.ts'
import { TrieEngine } from './trie/engine.ts'
import { EngineStateManager } from './trie/stateManager.ts'

// Storage trie nodes are keyed under the owning account's address prefix: nodes of one contract
// sit together on disk, which makes storage reads measurably faster on big tries.
const PREFIX_STORAGE_TRIE_KEYS = true

/** A stock trie object at `root`, without a node cache of its own (the trie's default). */
export function createTrie(db: StateDB, common: Common, root?: Uint8Array): MerklePatriciaTrie {
  return new MerklePatriciaTrie({
    db,
    root,
    useKeyHashing: true,
    valueEncoding: ValueEncoding.Bytes,
    common,
  })
}

/**
 * The executing state: account, storage and code caches that live across blocks, with trie reads
 * and block flushes done by the trie engine (chain/trie/). The stock trie object only holds the
 * root and serves code and checkRoot reads, so it needs no cache of its own. The chain passes the
 * engine its read views use: its decoded nodes are content-addressed, so one cache serves both.
 */
export function createExecutionState(db: StateDB, common: Common, root: Uint8Array, engine: TrieEngine = createTrieEngine(db, common)): MerkleStateManager {
  return new EngineStateManager({
    engine,
    trie: createTrie(db, common, root),
    common,
    prefixStorageTrieKeys: PREFIX_STORAGE_TRIE_KEYS,
    caches: executionCaches(),
  })
}

/** The account, storage and code caches of the long-lived execution state. */
export function executionCaches(): Caches {
  return new Caches({
    account: { type: CacheType.LRU, size: 200_000 },
    storage: { type: CacheType.LRU, size: 200_000 },
    code: { type: CacheType.LRU, size: 10_000 },
  })
}

export function createTrieEngine(db: StateDB, common: Common): TrieEngine {
  return new TrieEngine(db, common.customCrypto.keccak256 ?? keccak_256)
}

/** A throwaway view of the state at `root`: reads, and writes that are never committed. */
export function createStateView(db: StateDB, common: Common, root: Uint8Array): MerkleStateManager {
  return new MerkleStateManager({
    trie: createTrie(db, common, root),
    common,
    prefixStorageTrieKeys: PREFIX_STORAGE_TRIE_KEYS,
    caches: new Caches({
      account: { type: CacheType.ORDERED_MAP },
      storage: { type: CacheType.ORDERED_MAP },
      code: { type: CacheType.ORDERED_MAP },
    }),
  })
}

/**
 * A long-lived read-only view: bounded caches that stay warm across requests, and trie reads by
 * the trie engine (shared by the views and the executing state: its decoded nodes are
 * content-addressed) — a cold storage read costs a tenth of the stock trie's.
 */
export function createReadView(db: StateDB, common: Common, root: Uint8Array, engine: TrieEngine): MerkleStateManager {
  return new EngineStateManager({
    engine,
    trie: createTrie(db, common, root),
    common,
    prefixStorageTrieKeys: PREFIX_STORAGE_TRIE_KEYS,
    // a head view lives one block: sizes for what a block's requests read. The LRU allocates its
    // tables up front, and at 500,000 slots making one per block cost ~10 ms of the event loop
    caches: new Caches({
      account: { type: CacheType.LRU, size: 20_000 },
      storage: { type: CacheType.LRU, size: 50_000 },
      code: { type: CacheType.LRU, size: 2_000 },
    }),
  })
}
