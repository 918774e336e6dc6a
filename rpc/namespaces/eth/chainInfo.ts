// Chain identity, head and fee suggestions.
import { data, quantity } from '../../hex.ts'
import type { MethodTable } from '../../method.ts'
import { none, optional, parseParams, blockNumberOrTag, required, smallQuantity } from '../../params.ts'
import { RpcCode, RpcError } from '../../errors.ts'
import type { MethodContext } from '../../method.ts'
import { effectiveGasPrice } from '../../format.ts'

/** Below this, a priority fee suggestion is never made (as op-geth's default minimum, 0.001 gwei). */
const MIN_SUGGESTED_TIP = 1_000_000n
const TIP_SAMPLE_BLOCKS = 20n
const MAX_FEE_HISTORY_BLOCKS = 1024

export const chainInfoMethods: MethodTable = {
  eth_chainId: (params, ctx) => {
    parseParams(params, [none])
    return quantity(ctx.backend.chain.chainId)
  },
  eth_blockNumber: (params, ctx) => {
    parseParams(params, [none])
    return quantity(ctx.backend.chain.head.number)
  },
  eth_syncing: (params, ctx) => {
    parseParams(params, [none])
    const s = ctx.backend.syncStatus()
    if (s === false) return false
    return { startingBlock: quantity(s.startingBlock), currentBlock: quantity(s.currentBlock), highestBlock: quantity(s.highestBlock) }
  },
  eth_accounts: (params, ctx) => {
    parseParams(params, [none])
    return ctx.backend.signers.map((s) => data(s.address))
  },
  eth_coinbase: (params, ctx) => {
    parseParams(params, [none])
    return ctx.backend.chain.genesis.feeRecipient
  },
  eth_mining: (params, ctx) => {
    parseParams(params, [none])
    return ctx.backend.dev !== undefined || ctx.backend.syncStatus() === false
  },
  eth_hashrate: () => '0x0',
  eth_protocolVersion: () => '0x44',
  eth_gasPrice: async (params, ctx) => {
    parseParams(params, [none])
    return quantity(ctx.backend.chain.head.calcNextBaseFee() + (await suggestTip(ctx)))
  },
  eth_maxPriorityFeePerGas: async (params, ctx) => {
    parseParams(params, [none])
    return quantity(await suggestTip(ctx))
  },
  eth_blobBaseFee: () => {
    throw new RpcError(RpcCode.MethodNotSupported, 'blob transactions are not supported on this chain')
  },
  eth_feeHistory: async (params, ctx) => {
    const [count, newest, percentiles] = parseParams(params, [required(blockCount), required(blockNumberOrTag), optional(percentileList, [])])
    return feeHistory(ctx, count, newest, percentiles)
  },
}

/** geth takes the block count as hex or as a plain decimal number; tools send both. */
function blockCount(v: unknown, at: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v
  return smallQuantity(v, at)
}

function percentileList(v: unknown, at: string): number[] {
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'number' || p < 0 || p > 100)) {
    throw new RpcError(RpcCode.InvalidParams, `${at}: expected an array of percentiles between 0 and 100`)
  }
  for (let i = 1; i < v.length; i++) {
    if ((v[i] as number) < (v[i - 1] as number)) throw new RpcError(RpcCode.InvalidParams, `${at}: percentiles must be increasing`)
  }
  return v as number[]
}

/** Priority fee suggestion: the 60th percentile of tips paid in recent blocks, at least the floor. */
async function suggestTip(ctx: MethodContext): Promise<bigint> {
  const chain = ctx.backend.chain
  const tips: bigint[] = []
  for (let n = chain.head.number; n > 0n && chain.head.number - n < TIP_SAMPLE_BLOCKS; n--) {
    const block = await chain.block(n)
    if (block === undefined) break
    const base = block.header.baseFeePerGas ?? 0n
    for (const tx of block.transactions) tips.push(effectiveGasPrice(tx, base) - base)
  }
  if (tips.length === 0) return MIN_SUGGESTED_TIP
  tips.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const tip = tips[Math.floor((tips.length - 1) * 0.6)]
  return tip > MIN_SUGGESTED_TIP ? tip : MIN_SUGGESTED_TIP
}

async function feeHistory(ctx: MethodContext, count: number, newest: bigint | string, percentiles: number[]) {
  const chain = ctx.backend.chain
  if (count === 0) return { oldestBlock: '0x0', baseFeePerGas: [], gasUsedRatio: [], baseFeePerBlobGas: [], blobGasUsedRatio: [] }
  const last = typeof newest === 'bigint' ? newest : chain.resolveNumber(newest as 'latest')
  if (last === undefined || last > chain.head.number) throw new RpcError(RpcCode.InvalidInput, `request beyond head block: requested ${newest}, head ${chain.head.number}`)
  const blocks = BigInt(Math.min(count, MAX_FEE_HISTORY_BLOCKS))
  const oldest = last + 1n - blocks > 0n ? last + 1n - blocks : 0n
  const baseFees: string[] = []
  const ratios: number[] = []
  const rewards: string[][] = []
  let lastHeader
  for (let n = oldest; n <= last; n++) {
    const block = await chain.block(n)
    if (block === undefined) break
    lastHeader = block.header
    const base = block.header.baseFeePerGas ?? 0n
    baseFees.push(quantity(base))
    ratios.push(Number(block.header.gasUsed) / Number(block.header.gasLimit))
    if (percentiles.length > 0) {
      const receipts = (await chain.receipts(block.hash())) ?? []
      const byTip = block.transactions
        .map((tx, i) => ({ tip: effectiveGasPrice(tx, base) - base, gas: receipts[i].cumulativeGasUsed - (i === 0 ? 0n : receipts[i - 1].cumulativeGasUsed) }))
        .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
      rewards.push(percentiles.map((p) => quantity(tipAtPercentile(byTip, block.header.gasUsed, p))))
    }
  }
  if (lastHeader !== undefined) baseFees.push(quantity(lastHeader.calcNextBaseFee()))
  const out: Record<string, unknown> = {
    oldestBlock: quantity(oldest),
    baseFeePerGas: baseFees,
    gasUsedRatio: ratios,
    baseFeePerBlobGas: baseFees.map(() => '0x0'),
    blobGasUsedRatio: ratios.map(() => 0),
  }
  if (percentiles.length > 0) out.reward = rewards
  return out
}

/** The tip at which p% of the block's gas was paid at or below, as geth computes it. */
function tipAtPercentile(sorted: Array<{ tip: bigint; gas: bigint }>, gasUsed: bigint, p: number): bigint {
  if (sorted.length === 0) return 0n
  const threshold = (Number(gasUsed) * p) / 100
  let sum = 0
  for (const t of sorted) {
    sum += Number(t.gas)
    if (sum >= threshold) return t.tip
  }
  return sorted[sorted.length - 1].tip
}

