// Fast cryptography for the EVM, the trie and transaction signatures.
// keccak256: hash-wasm's WebAssembly Keccak does ~1.5M hashes/s of 64 bytes here, against
// ~0.2M/s for @noble/hashes (DESIGN.md, measured). ecrecover: the native `secp256k1` binding
// recovers ~15k signatures/s per core against ~600/s for @noble/curves; noble stays as the
// fallback where the native module does not load.
import { createRequire } from 'node:module'
import { secp256k1 as nobleSecp } from '@noble/curves/secp256k1.js'
import type { CustomCrypto } from '@ethereumjs/common'
import { loadKeccak } from '../precompiles/framework/keccak.ts'

type NativeSecp256k1 = {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
}

export interface OpalCrypto {
  keccak256: (data: Uint8Array) => Uint8Array
  /** 64-byte uncompressed public key (without the 0x04 prefix) */
  ecdsaRecover: (sig64: Uint8Array, recid: number, hash: Uint8Array) => Uint8Array
  ecdsaSign: (hash: Uint8Array, privateKey: Uint8Array) => { signature: Uint8Array; recid: number }
  /** which implementations are in use, for the start-up log */
  backends: { keccak: 'wasm' | 'noble'; secp256k1: 'native' | 'noble' }
  /** for @ethereumjs Common */
  custom: CustomCrypto
}

let cached: OpalCrypto | undefined

export async function loadCrypto(): Promise<OpalCrypto> {
  if (cached !== undefined) return cached
  const keccak = await loadKeccak()
  const native = loadNativeSecp()
  const ecdsaRecover = native !== undefined
    ? (sig: Uint8Array, recid: number, hash: Uint8Array) => native.ecdsaRecover(sig, recid, hash, false).subarray(1)
    : nobleRecover
  const ecdsaSign = native !== undefined
    ? (hash: Uint8Array, key: Uint8Array) => native.ecdsaSign(hash, key)
    : nobleSign
  cached = {
    keccak256: keccak.fn,
    ecdsaRecover,
    ecdsaSign,
    backends: { keccak: keccak.kind, secp256k1: native !== undefined ? 'native' : 'noble' },
    custom: {
      keccak256: keccak.fn,
      ecrecover: (msgHash, v, r, s, chainId) => ecdsaRecover(concat32(r, s), recoveryId(v, chainId), msgHash),
      ecdsaRecover: (sig, recId, hash) => {
        const pub = ecdsaRecover(sig, recId, hash)
        const out = new Uint8Array(65)
        out[0] = 4
        out.set(pub, 1)
        return out
      },
    },
  }
  return cached
}

function loadNativeSecp(): NativeSecp256k1 | undefined {
  try {
    const require = createRequire(import.meta.url)
    const lib = require('secp256k1/bindings') as NativeSecp256k1
    const key = new Uint8Array(32).fill(7)
    const hash = new Uint8Array(32).fill(9)
    const { signature, recid } = lib.ecdsaSign(hash, key)
    const viaNative = lib.ecdsaRecover(signature, recid, hash, false)
    const viaNoble = nobleRecover(signature, recid, hash)
    if (Buffer.compare(viaNative.subarray(1), viaNoble) !== 0) return undefined
    return lib
  } catch {
    return undefined
  }
}

function nobleRecover(sig: Uint8Array, recid: number, hash: Uint8Array): Uint8Array {
  const s = nobleSecp.Signature.fromBytes(sig, 'compact').addRecoveryBit(recid)
  return s.recoverPublicKey(hash).toBytes(false).subarray(1)
}

function nobleSign(hash: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number } {
  const sig = nobleSecp.sign(hash, key, { prehash: false, format: 'recovered' })
  // 'recovered' format is recid ‖ r ‖ s
  return { signature: sig.subarray(1), recid: sig[0] }
}

function concat32(r: Uint8Array, s: Uint8Array): Uint8Array {
  if (r.length > 32 || s.length > 32) throw new Error('invalid signature length')
  const out = new Uint8Array(64)
  out.set(r, 32 - r.length)
  out.set(s, 64 - s.length)
  return out
}

function recoveryId(v: bigint, chainId?: bigint): number {
  // typed transactions carry the y-parity itself; legacy ones 27/28 or the EIP-155 form
  if (v === 0n || v === 1n) return Number(v)
  const id = chainId === undefined ? v - 27n : v - (2n * chainId + 35n)
  if (id !== 0n && id !== 1n) throw new Error('invalid signature v value')
  return Number(id)
}
