// The transaction that carries a block's receipts: from the sequencer to the Receipts precompile,
// calling settle(batch) — an ordinary EIP-1559 transaction every tool decodes, first in its block,
// tipping nothing and paying the base fee like any other.
import type { Common } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import type { TypedTransaction } from '@ethereumjs/tx'
import { getAbiItem, toFunctionSelector } from 'viem'
import type { AbiFunction } from 'viem'
import { RECEIPTS_ABI } from '../../precompiles/receiptSettlement.ts'
import { fromHex } from '../util/bytes.ts'

export interface SettlementTxFields {
  common: Common
  receipts: Uint8Array
  nonce: bigint
  baseFee: bigint
  gasLimit: bigint
  /** the receipts, joinReceiptBatch of their RLP */
  batch: Uint8Array
  key: Uint8Array
}

/** the 4-byte selector of settle(bytes), from the precompile's ABI */
const SETTLE_SELECTOR = fromHex(toFunctionSelector(getAbiItem({ abi: RECEIPTS_ABI, name: 'settle' }) as AbiFunction))

export function settlementTx(f: SettlementTxFields): TypedTransaction {
  const data = settleCalldata(f.batch)
  return createFeeMarket1559Tx(
    { chainId: f.common.chainId(), nonce: f.nonce, maxFeePerGas: f.baseFee, maxPriorityFeePerGas: 0n, gasLimit: f.gasLimit, to: f.receipts, value: 0n, data },
    { common: f.common },
  ).sign(f.key)
}

/**
 * The ABI encoding of settle(batch), built as bytes (a batch runs to MiBs: no hex round trip):
 * selector ‖ offset of the bytes (0x20) ‖ their length ‖ the batch, zero-padded to 32-byte words.
 */
function settleCalldata(batch: Uint8Array): Uint8Array {
  const padded = Math.ceil(batch.length / 32) * 32
  const out = new Uint8Array(4 + 32 + 32 + padded)
  out.set(SETTLE_SELECTOR, 0)
  out[4 + 31] = 0x20
  const view = new DataView(out.buffer)
  // the length word is big-endian: its low 8 bytes hold any length an array can have
  view.setBigUint64(4 + 32 + 24, BigInt(batch.length))
  out.set(batch, 4 + 64)
  return out
}
