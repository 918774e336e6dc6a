// A deterministic stream of bytes from a seed: keccak256(seed ‖ counter), counter = 0, 1, 2 …
// (uint64 big-endian). Every node derives the same LSH projection from the seed in the genesis.
import { keccak_256 } from '@noble/hashes/sha3.js'

export function prngBytes(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  const input = new Uint8Array(seed.length + 8)
  input.set(seed, 0)
  const view = new DataView(input.buffer)
  for (let counter = 0n, o = 0; o < length; counter++, o += 32) {
    view.setBigUint64(seed.length, counter)
    out.set(keccak_256(input).subarray(0, Math.min(32, length - o)), o)
  }
  return out
}
