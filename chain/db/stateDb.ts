// The Merkle-Patricia trie's view of the chain database. Writes are held in memory until the
// block that made them is committed: the block store then puts them in the same atomic batch as
// the block, so a crash leaves the old head or the new one, never half a state.
// Trie nodes are content-addressed and never deleted (no pruning), so every reader may see
// pending nodes without harm, and an abandoned block only leaves unreferenced nodes.
import { ValueEncoding, hexToBytes } from '@ethereumjs/util'
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'
import { Bucket } from './buckets.ts'
import type { Level } from './level.ts'
import { LRU } from '../util/lru.ts'

export class StateDB implements DB<string, string | Uint8Array> {
  readonly #level: Level
  #pending = new Map<string, Uint8Array>()
  /**
   * Recently read nodes, shared by every trie on this database (the tries of RPC state views are
   * short-lived, so their own caches never warm up). Content-addressed, so never stale.
   */
  readonly #cache: LRU<string, Uint8Array>

  constructor(level: Level, cacheNodes = 200_000) {
    this.#level = level
    this.#cache = new LRU(cacheNodes)
  }

  async get(key: string, opts?: EncodingOpts): Promise<string | Uint8Array | undefined> {
    const value = await this.#read(key)
    if (value === undefined) return undefined
    return opts?.valueEncoding === ValueEncoding.String ? Buffer.from(value).toString('hex') : value
  }

  async put(key: string, value: string | Uint8Array): Promise<void> {
    this.#pending.set(key, toBytes(value))
  }

  /** Reads a node (or code) by the raw key the trie uses, as `get` does. */
  async getNode(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#read(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex'))
  }

  /** Stores a node (or code) under the raw key the trie would use; for state built without the trie. */
  putNode(key: Uint8Array, value: Uint8Array): void {
    this.#pending.set(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex'), value)
  }

  /** The bytes under a hex key: pending writes first, then the cache, then the database. */
  async #read(hexKey: string): Promise<Uint8Array | undefined> {
    let value = this.#pending.get(hexKey) ?? this.#cache.get(hexKey)
    if (value === undefined) {
      // a synchronous read: trie nodes are small and mostly in the OS page cache, where LevelDB
      // answers in ~5 µs; the asynchronous get spends more than that on the event loop in promise
      // and thread-pool hand-offs. Building a candidate set of 100,000 contributions from state
      // (hundreds of thousands of node reads) took 40 s instead of 62-66 s (bench/receipts.ts warm-up)
      value = this.#level.getSync(stateKey(hexKey))
      if (value !== undefined) this.#cache.set(hexKey, value)
    }
    return value
  }

  // Nodes may be shared by several roots, and old roots stay readable: deletes are ignored.
  async del(): Promise<void> {}

  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') this.#pending.set(op.key, toBytes(op.value))
  }

  shallowCopy(): DB<string, string | Uint8Array> {
    return this
  }

  async open(): Promise<void> {}

  get pendingCount(): number {
    return this.#pending.size
  }

  /** Hands the buffered writes to the caller's batch and forgets them. */
  drain(): Array<{ key: Uint8Array; value: Uint8Array }> {
    const ops = []
    for (const [k, v] of this.#pending) ops.push({ key: stateKey(k), value: v })
    this.#pending = new Map()
    return ops
  }
}

/** The database key of a trie key: the hex decoded straight into place (every node read and written makes one). */
function stateKey(hexKey: string): Uint8Array {
  const out = new Uint8Array(1 + (hexKey.length >> 1))
  out[0] = Bucket.state
  Buffer.from(out.buffer, out.byteOffset + 1, out.length - 1).write(hexKey, 'hex')
  return out
}

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? hexToBytes(`0x${value}`) : value
}
