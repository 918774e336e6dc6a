// Signatures of the network: the sequencer signs each block, validators sign attestations, both
// over domain-separated hashes so neither can be replayed as the other or on another chain.
//   block:       keccak(keccak("opal:block:v1") ‖ uint256(chainId) ‖ blockHash)
//   attestation: keccak(keccak("opal:attestation:v1") ‖ uint256(chainId) ‖ uint256(number) ‖ blockHash ‖ stateRoot)
import type { OpalCrypto } from '../chain/crypto.ts'

const utf8 = (s: string) => new TextEncoder().encode(s)

function u256(n: bigint): Uint8Array {
  const out = new Uint8Array(32)
  let v = n
  for (let i = 31; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export function blockSigningHash(crypto: OpalCrypto, chainId: bigint, blockHash: Uint8Array): Uint8Array {
  return crypto.keccak256(concat([crypto.keccak256(utf8('opal:block:v1')), u256(chainId), blockHash]))
}

export function attestationSigningHash(crypto: OpalCrypto, chainId: bigint, number: bigint, blockHash: Uint8Array, stateRoot: Uint8Array): Uint8Array {
  return crypto.keccak256(concat([crypto.keccak256(utf8('opal:attestation:v1')), u256(chainId), u256(number), blockHash, stateRoot]))
}

/** 65 bytes: r ‖ s ‖ recovery id (0 or 1). */
export function sign(crypto: OpalCrypto, hash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const { signature, recid } = crypto.ecdsaSign(hash, privateKey)
  const out = new Uint8Array(65)
  out.set(signature, 0)
  out[64] = recid
  return out
}

/** The 20-byte address that made `signature` over `hash`, or undefined if it is not a signature. */
export function recoverSigner(crypto: OpalCrypto, hash: Uint8Array, signature: Uint8Array): Uint8Array | undefined {
  if (signature.length !== 65 || signature[64] > 1) return undefined
  try {
    return crypto.keccak256(crypto.ecdsaRecover(signature.subarray(0, 64), signature[64], hash)).subarray(12)
  } catch {
    return undefined
  }
}

export function addressOfKey(crypto: OpalCrypto, privateKey: Uint8Array): Uint8Array {
  const probe = new Uint8Array(32).fill(1)
  const signer = recoverSigner(crypto, probe, sign(crypto, probe, privateKey))
  if (signer === undefined) throw new Error('invalid private key')
  return signer
}
