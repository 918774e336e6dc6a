// From the VM's transaction results to the receipts the chain stores.
import type { TypedTransaction } from '@ethereumjs/tx'
import type { RunTxResult } from '@ethereumjs/vm'
import type { StoredReceipt } from './types.ts'

export function toStoredReceipt(tx: TypedTransaction, result: RunTxResult): StoredReceipt {
  const r = result.receipt
  return {
    type: tx.type,
    status: 'status' in r ? (r.status as 0 | 1) : 1,
    cumulativeGasUsed: r.cumulativeBlockGasUsed,
    logs: r.logs.map(([address, topics, data]) => ({ address, topics, data })),
  }
}
