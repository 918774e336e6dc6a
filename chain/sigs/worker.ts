// Worker thread: recovers signer addresses for batches of (32-byte hash, 65-byte signature).
// Uses the native secp256k1 binding where it loads, @noble/curves otherwise.
import { parentPort } from 'node:worker_threads'
import { loadCrypto } from '../crypto.ts'
import type { RecoverRequest, RecoverResponse } from './protocol.ts'

const crypto = await loadCrypto()

parentPort?.on('message', (req: RecoverRequest) => {
  const n = req.count
  const addresses = new Uint8Array(n * 20)
  const publicKeys = new Uint8Array(n * 64)
  const ok = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const sig = req.signatures.subarray(i * 65, i * 65 + 65)
    const v = sig[64]
    const recid = v >= 27 ? v - 27 : v
    if (recid !== 0 && recid !== 1) continue
    try {
      const pub = crypto.ecdsaRecover(sig.subarray(0, 64), recid, req.hashes.subarray(i * 32, i * 32 + 32))
      publicKeys.set(pub, i * 64)
      addresses.set(crypto.keccak256(pub).subarray(12), i * 20)
      ok[i] = 1
    } catch {
      // an invalid signature recovers no address: ok[i] stays 0
    }
  }
  const res: RecoverResponse = { id: req.id, addresses, publicKeys, ok }
  parentPort?.postMessage(res, [addresses.buffer, publicKeys.buffer, ok.buffer])
})
