// Sender recovery for a batch of decoded transactions, off the main thread when a worker pool is
// given: each transaction's signing hash and signature go to the workers, and the recovered
// public key is put into the transaction's own sender cache, so @ethereumjs never recovers again.
import type { TypedTransaction } from '@ethereumjs/tx'
import { bigIntToBytes, setLengthLeft } from '@ethereumjs/util'

export interface SenderRecovery {
  recoverPublicKeys(hashes: Uint8Array[], signatures: Uint8Array[]): Promise<Array<Uint8Array | undefined>>
}

/** Batches smaller than this are recovered inline: the round trip to a worker costs more. */
export const MIN_WORKER_BATCH = 16

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/** Why a signature cannot be valid before trying to recover it (EIP-2 low-s, recovery id range). */
export function signatureProblem(tx: TypedTransaction): string | undefined {
  if (tx.s === undefined || tx.r === undefined || tx.v === undefined) return 'transaction is not signed'
  if (tx.s > HALF_N) return 'signature s value is in the upper half of the curve order (EIP-2)'
  if (recoveryId(tx) === undefined) return `invalid signature v value ${tx.v}`
  return undefined
}

function recoveryId(tx: TypedTransaction): number | undefined {
  const v = tx.v as bigint
  if (tx.type !== 0) return v === 0n || v === 1n ? Number(v) : undefined
  if (v === 27n || v === 28n) return Number(v - 27n)
  const id = v - 35n - 2n * tx.common.chainId()
  return id === 0n || id === 1n ? Number(id) : undefined
}

/** Recovers and caches the senders of `txs` in the workers; returns false where it failed. */
export async function recoverSenders(txs: TypedTransaction[], recovery: SenderRecovery): Promise<boolean[]> {
  const hashes: Uint8Array[] = []
  const sigs: Uint8Array[] = []
  for (const tx of txs) {
    const sig = new Uint8Array(65)
    sig.set(setLengthLeft(bigIntToBytes(tx.r as bigint), 32), 0)
    sig.set(setLengthLeft(bigIntToBytes(tx.s as bigint), 32), 32)
    sig[64] = recoveryId(tx) ?? 255
    hashes.push(tx.getHashedMessageToSign())
    sigs.push(sig)
  }
  const keys = await recovery.recoverPublicKeys(hashes, sigs)
  return txs.map((tx, i) => {
    const key = keys[i]
    if (key === undefined) return false
    tx.cache.senderPubKey = key
    return true
  })
}
