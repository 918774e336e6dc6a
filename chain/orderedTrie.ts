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
  const items: Item[] = entries.map((e) => ({ key: nibbles(e.key), value: e.value }))
  items.sort((a, b) => compare(a.key, b.key))
  const rlp = RLP.encode(node(items, 0, keccak, sink))
  const root = keccak(rlp)
  sink?.(root, rlp)
  return root
}

export function orderedTrieRootOf(values: Uint8Array[], keccak: Keccak): Uint8Array {
  return trieRoot(values.map((value, i) => ({ key: RLP.encode(i), value })), keccak)
}

/** The node for items sharing key[0..depth), as its RLP structure (children by reference). */
function node(items: Item[], depth: number, keccak: Keccak, sink: NodeSink | undefined): Encoded {
  if (items.length === 1) {
    const it = items[0]
    return [hexPrefix(it.key.subarray(depth), true), it.value]
  }
  const prefix = commonPrefix(items, depth)
  if (prefix > 0) {
    const child = node(items, depth + prefix, keccak, sink)
    return [hexPrefix(items[0].key.subarray(depth, depth + prefix), false), reference(child, keccak, sink)]
  }
  const branch: Encoded[] = new Array(17).fill(new Uint8Array())
  let i = 0
  if (items[0].key.length === depth) {
    branch[16] = items[0].value
    i = 1
  }
  while (i < items.length) {
    const nib = items[i].key[depth]
    let j = i + 1
    while (j < items.length && items[j].key[depth] === nib) j++
    branch[nib] = reference(node(items.slice(i, j), depth + 1, keccak, sink), keccak, sink)
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

function commonPrefix(items: Item[], depth: number): number {
  const first = items[0].key
  const last = items[items.length - 1].key
  // sorted: the common prefix of all keys is that of the first and the last
  let n = 0
  while (depth + n < first.length && depth + n < last.length && first[depth + n] === last[depth + n]) n++
  return n
}

function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const odd = path.length % 2 === 1
  const out = new Uint8Array(Math.floor(path.length / 2) + 1)
  const flag = (leaf ? 2 : 0) + (odd ? 1 : 0)
  let p = 0
  if (odd) {
    out[0] = (flag << 4) | path[0]
    p = 1
  } else {
    out[0] = flag << 4
  }
  for (let o = 1; p < path.length; p += 2, o++) out[o] = (path[p] << 4) | path[p + 1]
  return out
}

function nibbles(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length * 2)
  for (let i = 0; i < b.length; i++) {
    out[2 * i] = b[i] >> 4
    out[2 * i + 1] = b[i] & 15
  }
  return out
}
