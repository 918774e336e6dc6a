// An append-only Merkle accumulator of depth 32 (the shape of Ethereum's deposit contract): each
// accepted contribution is a leaf; inserting costs 32 stored hashes at most, and the root of any
// prefix that was the whole tree at publication is computed from the 32-slot branch. A version
// stores that root and the count, so training data is pinned without re-reading every leaf.
import { keccak_256 } from '@noble/hashes/sha3.js'

export const DEPTH = 32

export const ZERO_HASHES: Uint8Array[] = (() => {
  const z: Uint8Array[] = [new Uint8Array(32)]
  for (let i = 1; i <= DEPTH; i++) z.push(hashPair(z[i - 1], z[i - 1]))
  return z
})()

export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(a, 0)
  buf.set(b, 32)
  return keccak_256(buf)
}

/** leaf = keccak(uint256 contributionId ‖ contentHash) */
export function leafOf(contributionId: bigint, contentHash: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  let v = contributionId
  for (let i = 31; i >= 0 && v > 0n; i--) {
    buf[i] = Number(v & 0xffn)
    v >>= 8n
  }
  buf.set(contentHash, 32)
  return keccak_256(buf)
}

export interface Branch {
  get(height: number): Promise<Uint8Array>
  set(height: number, node: Uint8Array): Promise<void>
}

/** Adds the leaf as number `size` (0-based); `size` is the count before insertion. */
export async function insert(branch: Branch, size: bigint, leaf: Uint8Array, onHash?: () => void): Promise<void> {
  let node = leaf
  let n = size + 1n
  for (let h = 0; h < DEPTH; h++) {
    if ((n & 1n) === 1n) {
      await branch.set(h, node)
      return
    }
    onHash?.()
    node = hashPair(await branch.get(h), node)
    n >>= 1n
  }
  throw new Error('merkle accumulator is full')
}

export async function root(branch: Branch, size: bigint, onHash?: () => void): Promise<Uint8Array> {
  let node: Uint8Array = new Uint8Array(32)
  let n = size
  for (let h = 0; h < DEPTH; h++) {
    onHash?.()
    node = (n & 1n) === 1n ? hashPair(await branch.get(h), node) : hashPair(node, ZERO_HASHES[h])
    n >>= 1n
  }
  return node
}

/** The same root computed from all leaves at once (for tests and off-chain verification). */
export function rootOfLeaves(leaves: Uint8Array[]): Uint8Array {
  let level = leaves.slice()
  for (let h = 0; h < DEPTH; h++) {
    const next: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i], i + 1 < level.length ? level[i + 1] : ZERO_HASHES[h]))
    level = next.length > 0 ? next : [ZERO_HASHES[h + 1]]
  }
  return level[0]
}
