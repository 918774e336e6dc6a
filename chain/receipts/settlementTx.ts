// The transaction that carries a block's receipts: from the sequencer to the Receipts precompile,
// calling settle(batch) — an ordinary EIP-1559 transaction every tool decodes, first in its block,
// tipping nothing and paying the base fee like any other.
import type { Common } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import type { TypedTransaction } from '@ethereumjs/tx'
import { encodeFunctionData } from 'viem'
import { RECEIPTS_ABI } from '../../precompiles/receiptSettlement.ts'
import { joinReceiptBatch } from '../../precompiles/receipts/format.ts'

export interface SettlementTxFields {
  common: Common
  receipts: Uint8Array
  nonce: bigint
  baseFee: bigint
  gasLimit: bigint
  /** RLP of each receipt's fields */
  raws: Uint8Array[]
  key: Uint8Array
}

export function settlementTx(f: SettlementTxFields): TypedTransaction {
  const batch = joinReceiptBatch(f.raws)
  const data = encodeFunctionData({ abi: RECEIPTS_ABI, functionName: 'settle', args: [`0x${Buffer.from(batch).toString('hex')}`] })
  return createFeeMarket1559Tx(
    { chainId: f.common.chainId(), nonce: f.nonce, maxFeePerGas: f.baseFee, maxPriorityFeePerGas: 0n, gasLimit: f.gasLimit, to: f.receipts, value: 0n, data },
    { common: f.common },
  ).sign(f.key)
}
