// The pool's window on the chain: sender accounts at the head, limits, and the journal.
import { Address } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { Chain } from '../chain.ts'
import { equal } from '../util/bytes.ts'
import type { TxPoolBackend } from './pool.ts'

export function chainPoolBackend(chain: Chain): TxPoolBackend {
  let view: { root: Uint8Array; state: MerkleStateManager } | undefined
  const headState = async (): Promise<MerkleStateManager> => {
    const root = chain.head.stateRoot
    if (view === undefined || !equal(view.root, root)) view = { root, state: await chain.stateAt(chain.head) }
    return view.state
  }
  return {
    async readAccount(address) {
      const acc = await (await headState()).getAccount(new Address(address))
      return { nonce: acc?.nonce ?? 0n, balance: acc?.balance ?? 0n }
    },
    blockGasLimit: () => chain.head.gasLimit,
    nextBaseFee: () => chain.head.calcNextBaseFee(),
    journalAdd: (txs) => chain.journal.add(txs),
    journalRemove: (hashes) => chain.journal.remove(hashes),
  }
}
