// Merkle-Patricia tries built in one pass from all their entries: the transactions and receipts
// roots (keys RLP(index)), and the state of a genesis (accounts and storage, keys hashed).
// @ethereumjs's MPT inserts one key at a time through its database layer: for 5,000 entries that
// was ~0.5 s of a block's sealing, and a genesis with a million storage slots took minutes, against
// milliseconds and seconds here. Checked against the MPT in test/unit/chain/orderedTrie.test.ts.
import { RLP } from '@ethereumjs/rlp'
import { KECCAK256_RLP } from '@ethereumjs/util'
import { compare } from './util/bytes.ts'

type Keccak = (data: Uint8Array) => Uint8Array
type Item = { key: Uint8Array; value: Uint8Array }
type Encoded = Uint8Array | Encoded[]
/** receives every node stored by hash: (hash, RLP of the node) */
export type NodeSink = (hash: Uint8Array, rlp: Uint8Array) => void

/** Root of the trie of key → value (keys used as given: hash them first for a secure trie). */
export function trieRoot(entries: Array<{ key: Uint8Array; value: Uint8Array }>, keccak: Keccak, sink?: NodeSink): Uint8Array {
  if (entries.length === 0) return KECCAK256_RLP
  // keys stay bytes, read a nibble at a time, and nodes take ranges of the sorted items: for a
  // million storage slots, nibble copies of every key and sliced item arrays at every level were
  // most of a genesis's trie time, in allocation and garbage collection
  const items = sortedByKey(entries)
  const rlp = RLP.encode(node(items, 0, items.length, 0, keccak, sink))
  const root = keccak(rlp)
  sink?.(root, rlp)
  return root
}

export function orderedTrieRootOf(values: Uint8Array[], keccak: Keccak): Uint8Array {
  return trieRoot(values.map((value, i) => ({ key: RLP.encode(i), value })), keccak)
}

/**
 * Entries in key order. Hashed keys (32 bytes, uniformly spread) are bucketed by their first two
 * bytes and each small bucket sorted: a comparison sort of a million took 4-5 s, this a fraction.
 */
export function sortedByKey(entries: Item[]): Item[] {
  const byKey = (a: Item, b: Item) => compare(a.key, b.key)
  if (entries.length < 65_536 || !entries.every((e) => e.key.length === 32)) return [...entries].sort(byKey)
  const start = new Int32Array(65_537)
  for (const e of entries) start[((e.key[0] << 8) | e.key[1]) + 1]++
  for (let b = 0; b < 65_536; b++) start[b + 1] += start[b]
  const fill = start.slice(0, 65_536)
  const out = new Array<Item>(entries.length)
  for (const e of entries) out[fill[(e.key[0] << 8) | e.key[1]]++] = e
  for (let b = 0; b < 65_536; b++) {
    if (start[b + 1] - start[b] < 2) continue
    const bucket = out.slice(start[b], start[b + 1]).sort(byKey)
    for (let i = 0; i < bucket.length; i++) out[start[b] + i] = bucket[i]
  }
  return out
}

/** Nibble `d` of a key. */
const nibble = (key: Uint8Array, d: number): number => ((d & 1) === 0 ? key[d >> 1] >> 4 : key[d >> 1] & 15)

/** The node for items[lo, hi), which share the key's first `depth` nibbles, as its RLP structure (children by reference). */
function node(items: Item[], lo: number, hi: number, depth: number, keccak: Keccak, sink: NodeSink | undefined): Encoded {
  if (hi - lo === 1) {
    const it = items[lo]
    return [hexPrefix(it.key, depth, 2 * it.key.length, true), it.value]
  }
  const prefix = commonPrefix(items[lo].key, items[hi - 1].key, depth)
  if (prefix > 0) {
    const child = node(items, lo, hi, depth + prefix, keccak, sink)
    return [hexPrefix(items[lo].key, depth, depth + prefix, false), reference(child, keccak, sink)]
  }
  const branch: Encoded[] = new Array(17).fill(new Uint8Array())
  let i = lo
  if (2 * items[lo].key.length === depth) {
    branch[16] = items[lo].value
    i++
  }
  while (i < hi) {
    const nib = nibble(items[i].key, depth)
    let j = i + 1
    while (j < hi && nibble(items[j].key, depth) === nib) j++
    branch[nib] = reference(node(items, i, j, depth + 1, keccak, sink), keccak, sink)
    i = j
  }
  return branch
}

/** A child is embedded when its encoding is under 32 bytes, otherwise referenced (and stored) by hash. */
function reference(n: Encoded, keccak: Keccak, sink: NodeSink | undefined): Encoded {
  const rlp = RLP.encode(n)
  if (rlp.length < 32) return n
  const hash = keccak(rlp)
  sink?.(hash, rlp)
  return hash
}

/** Nibbles shared from `depth` on by the first and last of sorted keys, and so by all between. */
function commonPrefix(first: Uint8Array, last: Uint8Array, depth: number): number {
  const end = 2 * Math.min(first.length, last.length)
  let n = 0
  while (depth + n < end && nibble(first, depth + n) === nibble(last, depth + n)) n++
  return n
}

/** The hex-prefix encoding of nibbles [from, to) of a key. */
function hexPrefix(key: Uint8Array, from: number, to: number, leaf: boolean): Uint8Array {
  const length = to - from
  const odd = length % 2 === 1
  const out = new Uint8Array(Math.floor(length / 2) + 1)
  const flag = (leaf ? 2 : 0) + (odd ? 1 : 0)
  let p = from
  if (odd) {
    out[0] = (flag << 4) | nibble(key, p)
    p++
  } else {
    out[0] = flag << 4
  }
  for (let o = 1; p < to; p += 2, o++) out[o] = (nibble(key, p) << 4) | nibble(key, p + 1)
  return out
}
