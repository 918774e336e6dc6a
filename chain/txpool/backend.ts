// The pool's window on the chain: sender accounts at the head, limits, and the journal.
import { Address } from '@ethereumjs/util'
import type { Chain } from '../chain.ts'
import type { TxPoolBackend } from './pool.ts'

export function chainPoolBackend(chain: Chain): TxPoolBackend {
  return {
    async readAccount(address) {
      const acc = await (await chain.readState(chain.head)).getAccount(new Address(address))
      return { nonce: acc?.nonce ?? 0n, balance: acc?.balance ?? 0n }
    },
    blockGasLimit: () => chain.head.gasLimit,
    nextBaseFee: () => chain.head.calcNextBaseFee(),
    journalAdd: (txs) => chain.journal.add(txs),
    journalRemove: (hashes) => chain.journal.remove(hashes),
  }
}
