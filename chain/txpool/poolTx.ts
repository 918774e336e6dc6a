// A pooled transaction with the fields the pool orders and prices by, computed once.
import type { TypedTransaction } from '@ethereumjs/tx'
import { toHex } from '../util/bytes.ts'

export interface PoolTx {
  tx: TypedTransaction
  raw: Uint8Array
  hash: Uint8Array
  hashHex: string
  sender: Uint8Array
  senderHex: string
  nonce: bigint
  gasLimit: bigint
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  /** the most the transaction can take from its sender: value + gasLimit × maxFeePerGas */
  maxCost: bigint
  addedAt: number
}

export function toPoolTx(tx: TypedTransaction, raw: Uint8Array, sender: Uint8Array): PoolTx {
  const hash = tx.hash()
  const fees = feeFields(tx)
  return {
    tx,
    raw,
    hash,
    hashHex: toHex(hash),
    sender,
    senderHex: toHex(sender),
    nonce: tx.nonce,
    gasLimit: tx.gasLimit,
    ...fees,
    maxCost: tx.value + tx.gasLimit * fees.maxFeePerGas,
    addedAt: Date.now(),
  }
}

export function feeFields(tx: TypedTransaction): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  if ('maxFeePerGas' in tx) return { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas }
  return { maxFeePerGas: tx.gasPrice, maxPriorityFeePerGas: tx.gasPrice }
}

/** What the block producer earns per gas from the transaction at this base fee (negative: not includable). */
export function effectiveTip(p: PoolTx, baseFee: bigint): bigint {
  const room = p.maxFeePerGas - baseFee
  return room < p.maxPriorityFeePerGas ? room : p.maxPriorityFeePerGas
}
