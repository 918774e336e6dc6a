// The development controls behind --dev: mining on demand, snapshots as chain rewinds, and state
// edits applied as a block of their own (so every edit is in the chain's history and state root).
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, Address } from '@ethereumjs/util'
import type { Chain, Sequencer, TxPool } from '../chain/index.ts'
import type { DevControls, StateEdit } from '../rpc/index.ts'

export function createDevControls(chain: Chain, pool: TxPool, sequencer: Sequencer): DevControls {
  const snapshots = new Map<bigint, bigint>()
  let nextId = 1n
  return {
    async mine({ timestamp }) {
      await sequencer.mine({ timestamp })
    },
    async snapshot() {
      const id = nextId++
      snapshots.set(id, chain.head.number)
      return id
    },
    async revert(id) {
      const target = snapshots.get(id)
      if (target === undefined) return false
      // as in Anvil: reverting to a snapshot also drops every later snapshot
      for (const k of [...snapshots.keys()]) if (k >= id) snapshots.delete(k)
      await sequencer.pause(async () => {
        await chain.rewind(target)
        await pool.onNewHead()
      })
      return true
    },
    async editState(edit: StateEdit) {
      await sequencer.mine({ mutate: (state) => applyEdit(state, edit), maxTxs: 0 })
    },
    setNextTimestamp: (ts) => sequencer.setNextTimestamp(ts),
    setAutomine: (on) => sequencer.setAutomine(on),
    automine: () => sequencer.automine,
  }
}

async function applyEdit(state: MerkleStateManager, edit: StateEdit): Promise<void> {
  const address = new Address(edit.address)
  const account = (await state.getAccount(address)) ?? new Account()
  switch (edit.kind) {
    case 'balance':
      account.balance = edit.value
      await state.putAccount(address, account)
      return
    case 'nonce':
      account.nonce = edit.value
      await state.putAccount(address, account)
      return
    case 'code':
      await state.putAccount(address, account)
      await state.putCode(address, edit.value)
      return
    case 'storage':
      await state.putAccount(address, account)
      await state.putStorage(address, edit.slot, stripZeros(edit.value))
      return
  }
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.subarray(i)
}
