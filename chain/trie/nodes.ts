// Merkle-Patricia trie nodes, decoded once and kept decoded, and their RLP encoding byte for byte
// as @ethereumjs/mpt writes them. Every key of a trie has the same length (state tries hash their
// keys), so a branch never carries a value.
//
// Decoded nodes are plain objects of strings, because they are many and long-lived: a Uint8Array
// measured ~250 bytes of heap here whatever its length, a short string a quarter of that.
//   paths: one lowercase hex char per nibble, so a key's hex form walks the trie with startsWith
//   leaf values: one char per byte (latin1)
//   child references: the 32-byte hash, one char per byte (also the decoded-node cache's key), or
//   the child node itself: an embedded node (RLP under 32 bytes) or a node made by an update and
//   not yet hashed

export const LEAF = 0
export const EXTENSION = 1
export const BRANCH = 2

export type Ref = string | TrieNode

export interface Leaf {
  readonly kind: typeof LEAF
  readonly path: string
  readonly value: string
}

export interface Extension {
  readonly kind: typeof EXTENSION
  readonly path: string
  /** replaced by its hash only while a new node is sealed */
  child: Ref
}

export interface Branch {
  readonly kind: typeof BRANCH
  /** 16 children; entries of a new node are replaced by their hashes only while it is sealed */
  readonly kids: Array<Ref | null>
}

export type TrieNode = Leaf | Extension | Branch

export function leaf(path: string, value: string): Leaf {
  return { kind: LEAF, path, value }
}

export function extension(path: string, child: Ref): Extension {
  return { kind: EXTENSION, path, child }
}

export function branch(kids: Array<Ref | null>): Branch {
  return { kind: BRANCH, kids }
}

export function emptyKids(): Array<Ref | null> {
  return [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null]
}

/** nibble value of a lowercase hex char code */
const NIBBLE = new Uint8Array(128)
for (let i = 0; i < 16; i++) NIBBLE[i.toString(16).charCodeAt(0)] = i

export function nibbleOf(path: string, i: number): number {
  return NIBBLE[path.charCodeAt(i)]
}

export function hexChar(nibble: number): string {
  return nibble.toString(16)
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

export function toLatin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
}

/** A fresh array (never a view of Buffer's shared pool: values end up in long-lived caches). */
export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

export function hashToRef(hash: Uint8Array): string {
  if (hash.length !== 32) throw new Error('a node hash is 32 bytes')
  return refAt(hash, 0)
}

/** The 32 bytes at `o`, one char per byte: spelled out, it measured 3–5× faster than Buffer's latin1. */
function refAt(b: Uint8Array, o: number): string {
  return String.fromCharCode(
    b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7],
    b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15],
    b[o + 16], b[o + 17], b[o + 18], b[o + 19], b[o + 20], b[o + 21], b[o + 22], b[o + 23],
    b[o + 24], b[o + 25], b[o + 26], b[o + 27], b[o + 28], b[o + 29], b[o + 30], b[o + 31],
  )
}

export function refToHash(ref: string): Uint8Array {
  return fromLatin1(ref)
}

// ─── decoding ────────────────────────────────────────────────────────────────────────────────

/** Decodes a stored node's RLP. */
export function decodeNode(rlp: Uint8Array): TrieNode {
  const list = item(rlp, 0)
  if (!list.isList || list.end !== rlp.length) throw new Error('invalid trie node')
  return decodeList(Buffer.from(rlp.buffer, rlp.byteOffset, rlp.byteLength), list.start, list.end)
}

interface Item {
  isList: boolean
  /** payload start and end */
  start: number
  end: number
}

function decodeList(b: Buffer, start: number, end: number): TrieNode {
  const first = item(b, start)
  const second = first.end < end ? item(b, first.end) : undefined
  if (second !== undefined && second.end === end) {
    if (first.isList || first.end === first.start) throw new Error('invalid trie node path')
    const flag = b[first.start] >> 4
    // the hex-prefix byte's low nibble is the path's first nibble when the length is odd
    const path = b.toString('hex', first.start, first.end).slice((flag & 1) === 1 ? 1 : 2)
    if (flag >= 2) {
      if (second.isList) throw new Error('invalid leaf value')
      return leaf(path, b.toString('latin1', second.start, second.end))
    }
    return extension(path, childRef(b, second))
  }
  const kids = emptyKids()
  let pos = start
  for (let i = 0; i < 16; i++) {
    if (pos >= end) throw new Error('invalid branch node')
    const it = item(b, pos)
    if (it.isList || it.end > it.start) kids[i] = childRef(b, it)
    pos = it.end
  }
  if (pos >= end) throw new Error('invalid branch node')
  const value = item(b, pos)
  if (value.end !== end) throw new Error('invalid branch node')
  // keys of equal length end at leaves: a branch value would mean a key of another length
  if (value.isList || value.end > value.start) throw new Error('branch values are not supported')
  return branch(kids)
}

function childRef(b: Buffer, it: Item): Ref {
  if (it.isList) return decodeList(b, it.start, it.end)
  if (it.end - it.start !== 32) throw new Error('invalid child reference')
  return refAt(b, it.start)
}

/** The RLP item at `pos`. */
function item(b: Uint8Array, pos: number): Item {
  const h = b[pos]
  if (h === undefined) throw new Error('truncated trie node')
  let r: Item
  if (h < 0x80) r = { isList: false, start: pos, end: pos + 1 }
  else if (h <= 0xb7) r = { isList: false, start: pos + 1, end: pos + 1 + h - 0x80 }
  else if (h < 0xc0) r = long(b, pos, h - 0xb7, false)
  else if (h <= 0xf7) r = { isList: true, start: pos + 1, end: pos + 1 + h - 0xc0 }
  else r = long(b, pos, h - 0xf7, true)
  if (r.end > b.length) throw new Error('truncated trie node')
  return r
}

function long(b: Uint8Array, pos: number, lenOfLen: number, isList: boolean): Item {
  let len = 0
  for (let i = 1; i <= lenOfLen; i++) len = len * 256 + b[pos + i]
  return { isList, start: pos + 1 + lenOfLen, end: pos + 1 + lenOfLen + len }
}

// ─── encoding ────────────────────────────────────────────────────────────────────────────────

/**
 * The node's RLP. Hash references are written as 32-byte strings, node children embedded (they
 * must encode under 32 bytes: sealing replaces larger ones by their hashes first).
 */
export function encodeNode(node: TrieNode): Uint8Array {
  if (node.kind === BRANCH) return encodeBranch(node)
  const pathLength = (node.path.length >> 1) + 1 // hex-prefix encoded
  let child: Uint8Array | undefined
  let second: number
  if (node.kind === LEAF) second = stringLength(node.value.length, node.value.charCodeAt(0))
  else if (typeof node.child === 'string') second = 33
  else {
    child = embedded(node.child)
    second = child.length
  }
  const payload = stringLength(pathLength, pathLength === 1 ? hexPrefixHead(node) : 0x80) + second
  const out = new Uint8Array(listHeaderLength(payload) + payload)
  let o = writeHeader(out, 0, payload, 0xc0)
  if (pathLength === 1 && hexPrefixHead(node) < 0x80) out[o++] = hexPrefixHead(node)
  else {
    o = writeHeader(out, o, pathLength, 0x80)
    o = writeHexPrefix(out, o, node)
  }
  if (node.kind === LEAF) writeLatin1(out, o, node.value)
  else if (child !== undefined) out.set(child, o)
  else writeLatin1(out, o, node.child as string)
  return out
}

function encodeBranch(node: Branch): Uint8Array {
  const parts: Array<Uint8Array | null> = new Array(16)
  let payload = 1 // the empty value
  for (let i = 0; i < 16; i++) {
    const kid = node.kids[i]
    parts[i] = null
    if (kid === null) payload += 1
    else if (typeof kid === 'string') payload += 33
    else {
      const raw = embedded(kid)
      parts[i] = raw
      payload += raw.length
    }
  }
  const out = new Uint8Array(listHeaderLength(payload) + payload)
  let o = writeHeader(out, 0, payload, 0xc0)
  for (let i = 0; i < 16; i++) {
    const kid = node.kids[i]
    if (kid === null) out[o++] = 0x80
    else if (typeof kid === 'string') {
      out[o++] = 0xa0
      for (let k = 0; k < 32; k++) out[o + k] = kid.charCodeAt(k)
      o += 32
    } else {
      const raw = parts[i] as Uint8Array
      out.set(raw, o)
      o += raw.length
    }
  }
  out[o] = 0x80
  return out
}

function embedded(node: TrieNode): Uint8Array {
  const raw = encodeNode(node)
  if (raw.length >= 32) throw new Error('a child of 32 bytes or more must be referenced by hash')
  return raw
}

/** First byte of the hex-prefix encoding: the flags (leaf, odd length), then the first nibble if odd. */
function hexPrefixHead(node: Leaf | Extension): number {
  const odd = node.path.length % 2 === 1
  const flag = (node.kind === LEAF ? 2 : 0) + (odd ? 1 : 0)
  return (flag << 4) | (odd ? nibbleOf(node.path, 0) : 0)
}

function writeHexPrefix(out: Uint8Array, o: number, node: Leaf | Extension): number {
  const path = node.path
  out[o++] = hexPrefixHead(node)
  for (let p = path.length % 2; p < path.length; p += 2) out[o++] = (nibbleOf(path, p) << 4) | nibbleOf(path, p + 1)
  return o
}

function writeLatin1(out: Uint8Array, o: number, s: string): number {
  if (s.length === 1 && s.charCodeAt(0) < 0x80) {
    out[o] = s.charCodeAt(0)
    return o + 1
  }
  o = writeHeader(out, o, s.length, 0x80)
  for (let i = 0; i < s.length; i++) out[o + i] = s.charCodeAt(i)
  return o + s.length
}

/** Encoded length of a byte string of `len` bytes whose first byte is `first`. */
function stringLength(len: number, first: number): number {
  if (len === 1 && first < 0x80) return 1
  return len + (len <= 55 ? 1 : 1 + bytesOf(len))
}

function listHeaderLength(payload: number): number {
  return payload <= 55 ? 1 : 1 + bytesOf(payload)
}

function writeHeader(out: Uint8Array, o: number, len: number, base: number): number {
  if (len <= 55) {
    out[o] = base + len
    return o + 1
  }
  const n = bytesOf(len)
  out[o] = base + 55 + n
  for (let i = n; i >= 1; i--) {
    out[o + i] = len & 0xff
    len = Math.floor(len / 256)
  }
  return o + 1 + n
}

function bytesOf(len: number): number {
  let n = 0
  while (len > 0) {
    n++
    len = Math.floor(len / 256)
  }
  return n
}
