// Keccak-256 for the chain and the precompiles: hash-wasm's is ~7x faster than @noble/hashes on
// the short inputs of slots and trie nodes (DESIGN.md), and is used only after it matched noble's
// on a probe — a wrong hash would fork the chain.
import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak } from 'hash-wasm'

export type Keccak256 = (data: Uint8Array) => Uint8Array

export async function loadKeccak(): Promise<{ fn: Keccak256; kind: 'wasm' | 'noble' }> {
  try {
    const hasher = await createKeccak(256)
    const fn: Keccak256 = (data) => hasher.init().update(data).digest('binary')
    const probe = Uint8Array.of(1, 2, 3)
    if (Buffer.compare(fn(probe), keccak_256(probe)) !== 0) throw new Error('keccak mismatch')
    return { fn, kind: 'wasm' }
  } catch {
    return { fn: (d) => keccak_256(d), kind: 'noble' }
  }
}
