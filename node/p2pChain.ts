// The chain as the network layer sees it: head, signed blocks to serve, and import of blocks
// received (re-executed by the follower's importer).
import { createBlockFromRLP } from '@ethereumjs/block'
import type { BlockImporter, Chain } from '../chain/index.ts'
import { decodeRawTx } from '../chain/txpool/decode.ts'
import { signatureProblem } from '../chain/txpool/senders.ts'
import type { ImportResult, P2PChain, SignedBlock } from '../p2p/index.ts'
import { readBlock } from '../p2p/index.ts'

/** `sequencing`: this node makes the blocks; a node that neither makes nor follows ignores them. */
export function p2pChain(chain: Chain, importer: BlockImporter | undefined, sequencing: boolean): P2PChain {
  const signed = async (hash: Uint8Array): Promise<SignedBlock | undefined> => {
    const [rlp, signature] = await Promise.all([chain.store.blockRlp(hash), chain.store.signature(hash)])
    if (rlp === undefined || signature === undefined) return undefined
    return readBlock(chain.crypto, rlp, signature)
  }
  return {
    chainId: chain.chainId,
    head: () => ({ number: chain.head.number, hash: chain.head.hash() }),
    async getSignedBlocks(from, count) {
      const out: SignedBlock[] = []
      for (let n = from; n < from + BigInt(count) && n <= chain.head.number; n++) {
        const hash = await chain.store.hashByNumber(n)
        const b = hash === undefined ? undefined : await signed(hash)
        if (b === undefined) break
        out.push(b)
      }
      return out
    },
    getSignedBlockByHash: signed,
    async importBlock(b): Promise<ImportResult> {
      if (importer === undefined) {
        // a node that does not follow keeps its own chain; the blocks are no fault of the relayer
        if (!sequencing) return 'known'
        // the sequencer makes its own blocks: anything else at its heights is not its chain
        const ours = await chain.store.hashByNumber(b.number)
        return ours !== undefined && Buffer.compare(ours, b.hash) === 0 ? 'known' : { invalid: 'the sequencer imports no blocks' }
      }
      let block
      try {
        block = createBlockFromRLP(b.blockRlp, { common: chain.common })
      } catch (err) {
        return { invalid: `undecodable block: ${(err as Error).message}` }
      }
      return importer.import(block, b.signature)
    },
    // the pool's own stateless checks; the signer is recovered once, by the pool's workers
    checkTransaction(raw) {
      try {
        return signatureProblem(decodeRawTx(raw, chain.common))
      } catch (err) {
        return (err as Error).message
      }
    },
  }
}
