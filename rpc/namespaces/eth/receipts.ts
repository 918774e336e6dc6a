// Receipts in their JSON form, with per-transaction gas and log indexes derived from the block.
import type { Block } from '@ethereumjs/block'
import { Bloom } from '@ethereumjs/vm'
import type { StoredLog } from '../../../chain/index.ts'
import { formatReceipt } from '../../format.ts'
import type { Json } from '../../format.ts'
import type { MethodContext } from '../../method.ts'

export async function blockReceipts(ctx: MethodContext, block: Block): Promise<Json[]> {
  const chain = ctx.backend.chain
  const receipts = (await chain.receipts(block.hash())) ?? []
  const senders = (await chain.store.senders(block.hash())) ?? []
  const bloom = bloomOf(ctx)
  let firstLogIndex = 0
  return receipts.map((receipt, index) => {
    const json = formatReceipt({
      tx: block.transactions[index],
      sender: senders[index],
      header: block.header,
      index,
      receipt,
      previousCumulativeGas: index === 0 ? 0n : receipts[index - 1].cumulativeGasUsed,
      firstLogIndex,
      bloom,
    })
    firstLogIndex += receipt.logs.length
    return json
  })
}

export async function receiptAt(ctx: MethodContext, block: Block, index: number): Promise<Json | null> {
  const chain = ctx.backend.chain
  const receipts = await chain.receipts(block.hash())
  const senders = await chain.store.senders(block.hash())
  if (receipts === undefined || senders === undefined || receipts[index] === undefined) return null
  let firstLogIndex = 0
  for (let i = 0; i < index; i++) firstLogIndex += receipts[i].logs.length
  return formatReceipt({
    tx: block.transactions[index],
    sender: senders[index],
    header: block.header,
    index,
    receipt: receipts[index],
    previousCumulativeGas: index === 0 ? 0n : receipts[index - 1].cumulativeGasUsed,
    firstLogIndex,
    bloom: bloomOf(ctx),
  })
}

function bloomOf(ctx: MethodContext): (logs: StoredLog[]) => Uint8Array {
  return (logs) => {
    const bloom = new Bloom(undefined, ctx.backend.chain.common)
    for (const l of logs) {
      bloom.add(l.address)
      for (const t of l.topics) bloom.add(t)
    }
    return bloom.bitvector
  }
}
