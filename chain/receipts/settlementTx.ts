// The transaction that carries a block's receipts: from the sequencer to the Receipts precompile,
// calling settle(batch) — an ordinary EIP-1559 transaction every tool decodes, first in its block,
// tipping nothing and paying the base fee like any other.
import type { Common } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import type { TypedTransaction } from '@ethereumjs/tx'
import { encodeFunctionData } from 'viem'
import { RECEIPTS_ABI } from '../../precompiles/receiptSettlement.ts'

/** RLP list of already-encoded items: the batch is the receipts' RLP, concatenated under one header. */
export function rlpList(items: Uint8Array[]): Uint8Array {
  const length = items.reduce((n, i) => n + i.length, 0)
  let header: Uint8Array
  if (length < 56) header = Uint8Array.of(0xc0 + length)
  else {
    const len = []
    for (let n = length; n > 0; n = Math.floor(n / 256)) len.unshift(n % 256)
    header = Uint8Array.from([0xf7 + len.length, ...len])
  }
  const out = new Uint8Array(header.length + length)
  out.set(header, 0)
  let o = header.length
  for (const i of items) {
    out.set(i, o)
    o += i.length
  }
  return out
}

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
  const batch = rlpList(f.raws)
  const data = encodeFunctionData({ abi: RECEIPTS_ABI, functionName: 'settle', args: [`0x${Buffer.from(batch).toString('hex')}`] })
  return createFeeMarket1559Tx(
    { chainId: f.common.chainId(), nonce: f.nonce, maxFeePerGas: f.baseFee, maxPriorityFeePerGas: 0n, gasLimit: f.gasLimit, to: f.receipts, value: 0n, data },
    { common: f.common },
  ).sign(f.key)
}
