// txpool_: what the pool holds, pending (executable now) and queued, per sender and nonce.
import type { PoolTx } from '../../chain/index.ts'
import { formatTx } from '../format.ts'
import { quantity } from '../hex.ts'
import type { MethodTable } from '../method.ts'
import { none, parseParams } from '../params.ts'

function bySender(groups: Map<string, PoolTx[]>, render: (p: PoolTx) => unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const [sender, txs] of groups) {
    const entry: Record<string, unknown> = {}
    for (const p of txs) entry[p.nonce.toString()] = render(p)
    out[checksumless(sender)] = entry
  }
  return out
}

function checksumless(a: string): string {
  return a.toLowerCase()
}

export const txpoolMethods: MethodTable = {
  txpool_status: (params, ctx) => {
    parseParams(params, [none])
    const s = ctx.backend.pool.status()
    return { pending: quantity(s.pending), queued: quantity(s.queued) }
  },
  txpool_content: (params, ctx) => {
    parseParams(params, [none])
    const { pending, queued } = ctx.backend.pool.content()
    const render = (p: PoolTx) => formatTx(p.tx, p.sender)
    return { pending: bySender(pending, render), queued: bySender(queued, render) }
  },
  txpool_inspect: (params, ctx) => {
    parseParams(params, [none])
    const { pending, queued } = ctx.backend.pool.content()
    const render = (p: PoolTx) =>
      `${p.tx.to === undefined ? 'contract creation' : `0x${Buffer.from(p.tx.to.bytes).toString('hex')}`}: ${p.tx.value} wei + ${p.gasLimit} gas × ${p.maxFeePerGas} wei`
    return { pending: bySender(pending, render), queued: bySender(queued, render) }
  },
}
