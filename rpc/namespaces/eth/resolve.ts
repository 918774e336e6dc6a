// Block selection shared by the eth_ methods.
import type { BlockHeader } from '@ethereumjs/block'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { BlockSelector } from '../../../chain/index.ts'
import { RpcCode, RpcError } from '../../errors.ts'
import type { MethodContext } from '../../method.ts'

/** The header a selector names; methods that read state need one, as geth: "header not found". */
export async function requireHeader(ctx: MethodContext, sel: BlockSelector): Promise<BlockHeader> {
  const header = await ctx.backend.chain.header(sel)
  if (header === undefined) {
    const what = typeof sel === 'object' ? `hash 0x${Buffer.from(sel.hash).toString('hex')}` : String(sel)
    throw new RpcError(RpcCode.InvalidInput, `header not found: no block with ${what}`)
  }
  return header
}

/** State to read at a block (shared and cached at the head: never write to it). */
export async function readStateAt(ctx: MethodContext, sel: BlockSelector): Promise<MerkleStateManager> {
  return ctx.backend.chain.readState(await requireHeader(ctx, sel))
}
