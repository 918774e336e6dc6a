// web3_: client version and keccak256.
import { data } from '../hex.ts'
import type { MethodTable } from '../method.ts'
import { bytes, none, parseParams, required } from '../params.ts'

export const web3Methods: MethodTable = {
  web3_clientVersion: (params, ctx) => {
    parseParams(params, [none])
    return ctx.backend.clientVersion
  },
  web3_sha3: (params, ctx) => {
    const [input] = parseParams(params, [required(bytes)])
    return data(ctx.backend.chain.crypto.keccak256(input))
  },
}
