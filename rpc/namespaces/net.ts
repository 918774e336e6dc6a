// net_: network identity and peers.
import { quantity } from '../hex.ts'
import type { MethodTable } from '../method.ts'
import { none, parseParams } from '../params.ts'

export const netMethods: MethodTable = {
  net_version: (params, ctx) => {
    parseParams(params, [none])
    return ctx.backend.chain.chainId.toString()
  },
  net_listening: (params, ctx) => {
    parseParams(params, [none])
    return ctx.backend.network().listening
  },
  net_peerCount: (params, ctx) => {
    parseParams(params, [none])
    return quantity(ctx.backend.network().peerCount)
  },
}
