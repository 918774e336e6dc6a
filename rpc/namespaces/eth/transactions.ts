// Sending raw transactions and looking transactions and receipts up.
import type { BlockSelector } from '../../../chain/index.ts'
import { formatTx } from '../../format.ts'
import { data } from '../../hex.ts'
import type { MethodContext, MethodTable } from '../../method.ts'
import { blockNumberOrTag, bytes, hash, parseParams, required, smallQuantity } from '../../params.ts'
import { receiptAt } from './receipts.ts'
import { sendersOf } from './blocks.ts'

async function txInBlock(ctx: MethodContext, sel: BlockSelector, index: number) {
  const block = await ctx.backend.chain.block(sel)
  if (block === undefined || index >= block.transactions.length) return null
  const senders = await sendersOf(ctx, block)
  return formatTx(block.transactions[index], senders[index], { header: block.header, index })
}

export const transactionMethods: MethodTable = {
  eth_sendRawTransaction: async (params, ctx) => {
    const [raw] = parseParams(params, [required(bytes)])
    const [result] = await ctx.backend.submitTransactions([raw])
    if (result instanceof Error) throw result
    return data(result)
  },
  eth_getTransactionByHash: async (params, ctx) => {
    const [h] = parseParams(params, [required(hash)])
    const mined = await ctx.backend.chain.transaction(h)
    if (mined !== undefined) return formatTx(mined.tx, mined.sender, { header: mined.header, index: mined.index })
    const pooled = ctx.backend.pool.get(h)
    return pooled === undefined ? null : formatTx(pooled.tx, pooled.sender)
  },
  eth_getTransactionByBlockHashAndIndex: async (params, ctx) => {
    const [h, i] = parseParams(params, [required(hash), required(smallQuantity)])
    return txInBlock(ctx, { hash: h }, i)
  },
  eth_getTransactionByBlockNumberAndIndex: async (params, ctx) => {
    const [sel, i] = parseParams(params, [required(blockNumberOrTag), required(smallQuantity)])
    return txInBlock(ctx, sel, i)
  },
  eth_getTransactionReceipt: async (params, ctx) => {
    const [h] = parseParams(params, [required(hash)])
    const loc = await ctx.backend.chain.store.txLocation(h)
    if (loc === undefined) return null
    const block = await ctx.backend.chain.block({ hash: loc.blockHash })
    return block === undefined ? null : receiptAt(ctx, block, loc.index)
  },
}
