// Block 0: the allocated accounts written into an empty state trie, and a header over them.
import { createBlock } from '@ethereumjs/block'
import type { Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { Account, Address, KECCAK256_RLP } from '@ethereumjs/util'
import type { Genesis } from '../genesis/index.ts'
import type { StateDB } from './db/stateDb.ts'
import { createStateView } from './state.ts'
import { fromHex } from './util/bytes.ts'
import type { GenesisAllocEntry } from './extensions.ts'

export async function buildGenesisBlock(
  genesis: Genesis,
  common: Common,
  db: StateDB,
  extraAlloc: GenesisAllocEntry[],
): Promise<Block> {
  const state = createStateView(db, common, KECCAK256_RLP)
  await state.checkpoint()
  for (const [addr, acc] of genesis.alloc) {
    const address = new Address(fromHex(addr))
    await state.putAccount(address, new Account(acc.nonce, acc.balance))
    if (acc.code.length > 0) await state.putCode(address, acc.code)
    for (const [slot, value] of acc.storage) await state.putStorage(address, fromHex(slot), stripZeros(fromHex(value)))
  }
  for (const entry of extraAlloc) {
    const address = new Address(entry.address)
    const existing = await state.getAccount(address)
    await state.putAccount(address, new Account(entry.nonce, existing?.balance ?? 0n))
    if (entry.code.length > 0) await state.putCode(address, entry.code)
    for (const [slot, value] of entry.storage) await state.putStorage(address, slot, stripZeros(value))
  }
  await state.commit()
  const stateRoot = await state.getStateRoot()
  return createBlock(
    {
      header: {
        number: 0n,
        gasLimit: genesis.gasLimit,
        baseFeePerGas: genesis.baseFeePerGas,
        timestamp: genesis.timestamp,
        extraData: genesis.extraData,
        stateRoot,
        difficulty: 0n,
        withdrawalsRoot: KECCAK256_RLP,
        blobGasUsed: 0n,
        excessBlobGas: 0n,
        parentBeaconBlockRoot: new Uint8Array(32),
      },
      withdrawals: [],
    },
    { common },
  )
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.subarray(i)
}
