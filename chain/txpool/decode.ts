// Raw transaction bytes → a signed transaction with its sender, or a TxPoolError saying why not.
// Checks that need no state: size, encoding, type, chain id, signature, intrinsic gas, fee fields.
import { RLP } from '@ethereumjs/rlp'
import { createTxFromRLP, TransactionType } from '@ethereumjs/tx'
import type { TypedTransaction } from '@ethereumjs/tx'
import type { Common } from '@ethereumjs/common'
import { bytesToBigInt } from '@ethereumjs/util'
import { TxPoolError, TxRejection } from './errors.ts'

export const MAX_TX_BYTES = 128 * 1024

const SUPPORTED_TYPES = new Set<number>([
  TransactionType.Legacy,
  TransactionType.AccessListEIP2930,
  TransactionType.FeeMarketEIP1559,
  TransactionType.EOACodeEIP7702,
])

export interface DecodedTx {
  tx: TypedTransaction
  sender: Uint8Array
  hash: Uint8Array
  raw: Uint8Array
}

export function decodeRawTx(raw: Uint8Array, common: Common): TypedTransaction {
  if (raw.length > MAX_TX_BYTES) {
    throw new TxPoolError(TxRejection.Oversized, `oversized data: transaction of ${raw.length} bytes exceeds the ${MAX_TX_BYTES}-byte limit`)
  }
  if (raw.length === 0) throw new TxPoolError(TxRejection.Malformed, 'empty typed transaction bytes')
  const type = raw[0] <= 0x7f ? raw[0] : TransactionType.Legacy
  if (!SUPPORTED_TYPES.has(type)) {
    throw new TxPoolError(TxRejection.UnsupportedType, `transaction type not supported: ${type}${type === 3 ? ' (blob transactions are not accepted on this chain)' : ''}`)
  }
  const chainId = declaredChainId(raw, type)
  if (chainId !== undefined && chainId !== common.chainId()) {
    throw new TxPoolError(TxRejection.WrongChainId, `invalid chain id for signer: have ${chainId} want ${common.chainId()}`)
  }
  let tx: TypedTransaction
  try {
    tx = createTxFromRLP(raw, { common })
  } catch (err) {
    const reason = cleanMessage(err)
    if (reason.includes('maxFeePerGas cannot be less than maxPriorityFeePerGas')) {
      throw new TxPoolError(TxRejection.TipAboveFeeCap, 'max priority fee per gas higher than max fee per gas')
    }
    throw new TxPoolError(TxRejection.Malformed, `invalid transaction: ${reason}`)
  }
  if (!tx.isSigned()) throw new TxPoolError(TxRejection.InvalidSender, 'invalid sender: transaction is not signed')
  return tx
}

/** The chain id a raw transaction commits to; undefined for pre-EIP-155 legacy transactions. */
function declaredChainId(raw: Uint8Array, type: number): bigint | undefined {
  let fields: unknown
  try {
    fields = RLP.decode(type === TransactionType.Legacy ? raw : raw.subarray(1))
  } catch (err) {
    throw new TxPoolError(TxRejection.Malformed, `invalid transaction: malformed RLP (${cleanMessage(err)})`)
  }
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new TxPoolError(TxRejection.Malformed, 'invalid transaction: expected an RLP list')
  }
  if (type !== TransactionType.Legacy) {
    return fields[0] instanceof Uint8Array ? bytesToBigInt(fields[0]) : undefined
  }
  const v = fields[6]
  if (!(v instanceof Uint8Array)) return undefined
  const vn = bytesToBigInt(v)
  return vn >= 35n ? (vn - 35n) / 2n : undefined
}

function cleanMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  // @ethereumjs appends a debug dump of the whole transaction in parentheses; keep the reason only
  const cut = msg.indexOf(' (tx type=')
  return (cut > 0 ? msg.slice(0, cut) : msg).trim()
}
