// Blocks by number or hash, with hashes or full transactions; per-block counts and receipts.
import type { Block } from '@ethereumjs/block'
import type { BlockSelector } from '../../../chain/index.ts'
import { formatBlock } from '../../format.ts'
import { quantity } from '../../hex.ts'
import type { MethodContext, MethodTable } from '../../method.ts'
import { blockNumberOrTag, blockRef, boolean, hash, optional, parseParams, required } from '../../params.ts'
import { blockReceipts } from './receipts.ts'

async function blockJson(ctx: MethodContext, sel: BlockSelector, full: boolean) {
  const block = await ctx.backend.chain.block(sel)
  if (block === undefined) return null
  return formatBlock(block, full, full ? await sendersOf(ctx, block) : [])
}

export async function sendersOf(ctx: MethodContext, block: Block): Promise<Uint8Array[]> {
  return (await ctx.backend.chain.store.senders(block.hash())) ?? block.transactions.map((tx) => tx.getSenderAddress().bytes)
}

export const blockMethods: MethodTable = {
  eth_getBlockByNumber: async (params, ctx) => {
    const [sel, full] = parseParams(params, [required(blockNumberOrTag), optional(boolean, false)])
    return blockJson(ctx, sel, full)
  },
  eth_getBlockByHash: async (params, ctx) => {
    const [h, full] = parseParams(params, [required(hash), optional(boolean, false)])
    return blockJson(ctx, { hash: h }, full)
  },
  eth_getBlockTransactionCountByNumber: async (params, ctx) => {
    const [sel] = parseParams(params, [required(blockNumberOrTag)])
    const block = await ctx.backend.chain.block(sel)
    return block === undefined ? null : quantity(block.transactions.length)
  },
  eth_getBlockTransactionCountByHash: async (params, ctx) => {
    const [h] = parseParams(params, [required(hash)])
    const block = await ctx.backend.chain.block({ hash: h })
    return block === undefined ? null : quantity(block.transactions.length)
  },
  eth_getUncleCountByBlockNumber: async (params, ctx) => {
    const [sel] = parseParams(params, [required(blockNumberOrTag)])
    return (await ctx.backend.chain.header(sel)) === undefined ? null : '0x0'
  },
  eth_getUncleCountByBlockHash: async (params, ctx) => {
    const [h] = parseParams(params, [required(hash)])
    return (await ctx.backend.chain.header({ hash: h })) === undefined ? null : '0x0'
  },
  eth_getUncleByBlockNumberAndIndex: () => null,
  eth_getUncleByBlockHashAndIndex: () => null,
  eth_getBlockReceipts: async (params, ctx) => {
    const [sel] = parseParams(params, [required(blockRef)])
    const block = await ctx.backend.chain.block(sel)
    return block === undefined ? null : blockReceipts(ctx, block)
  },
}
