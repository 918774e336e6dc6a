// Receipts as stored: RLP list per block of [type, status, cumulativeGasUsed, logs]. Blooms are
// not stored; they are derived from the logs when asked for.
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt, intToBytes, bytesToInt } from '@ethereumjs/util'
import type { StoredReceipt } from '../types.ts'

export function encodeReceipts(receipts: StoredReceipt[]): Uint8Array {
  return RLP.encode(
    receipts.map((r) => [
      intToBytes(r.type),
      intToBytes(r.status),
      bigIntToUnpaddedBytes(r.cumulativeGasUsed),
      r.logs.map((l) => [l.address, l.topics, l.data]),
    ]),
  )
}

export function decodeReceipts(bytes: Uint8Array): StoredReceipt[] {
  const list = RLP.decode(bytes) as unknown as [Uint8Array, Uint8Array, Uint8Array, [Uint8Array, Uint8Array[], Uint8Array][]][]
  return list.map(([type, status, cumulative, logs]) => ({
    type: type.length === 0 ? 0 : bytesToInt(type),
    status: (status.length === 0 ? 0 : bytesToInt(status)) as 0 | 1,
    cumulativeGasUsed: bytesToBigInt(cumulative),
    logs: logs.map(([address, topics, data]) => ({ address, topics, data })),
  }))
}
