// Block 0: the allocated accounts (and the accounts the precompiles need) as a state trie, built
// in one pass with the trie builder and written straight to the state database, and a header
// over its root. Storage tries are keyed under the owning account's hash prefix, and code under
// "c" ‖ code hash, exactly as the state manager reads them.
import { createBlock } from '@ethereumjs/block'
import type { Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { Account, KECCAK256_NULL, KECCAK256_RLP, concatBytes } from '@ethereumjs/util'
import type { Genesis } from '../genesis/index.ts'
import type { StateDB } from './db/stateDb.ts'
import { trieRoot } from './orderedTrie.ts'
import { fromHex } from './util/bytes.ts'
import type { GenesisAllocEntry } from './extensions.ts'

const CODE_PREFIX = Uint8Array.of(0x63)
/** bytes of the account hash that prefix its storage trie's node keys (the state manager's choice) */
const STORAGE_KEY_PREFIX = 7

interface AccountSpec {
  nonce: bigint
  balance: bigint
  code: Uint8Array
  storage: Array<[Uint8Array, Uint8Array]>
}

export async function buildGenesisBlock(genesis: Genesis, common: Common, db: StateDB, extraAlloc: GenesisAllocEntry[]): Promise<Block> {
  const keccak = common.customCrypto.keccak256 as (b: Uint8Array) => Uint8Array
  const accounts = new Map<string, AccountSpec>()
  for (const [addr, acc] of genesis.alloc) {
    accounts.set(addr, { nonce: acc.nonce, balance: acc.balance, code: acc.code, storage: [...acc.storage].map(([k, v]) => [fromHex(k), fromHex(v)]) })
  }
  for (const e of extraAlloc) {
    const addr = `0x${Buffer.from(e.address).toString('hex')}`
    const existing = accounts.get(addr)
    accounts.set(addr, { nonce: e.nonce, balance: (existing?.balance ?? 0n) + e.balance, code: e.code, storage: [...(existing?.storage ?? []), ...e.storage] })
  }
  const entries: Array<{ key: Uint8Array; value: Uint8Array }> = []
  for (const [addr, spec] of accounts) {
    const address = fromHex(addr)
    const addressHash = keccak(address)
    const prefix = addressHash.subarray(0, STORAGE_KEY_PREFIX)
    const slots = new Map<string, { key: Uint8Array; value: Uint8Array }>()
    for (const [slot, value] of spec.storage) {
      const v = stripZeros(value)
      const key = keccak(pad32(slot))
      // a later entry for the same slot wins; a zero value means no entry
      if (v.length === 0) slots.delete(Buffer.from(key).toString('hex'))
      else slots.set(Buffer.from(key).toString('hex'), { key, value: RLP.encode(v) })
    }
    const storageRoot = trieRoot([...slots.values()], keccak, (hash, rlp) => db.putNode(concatBytes(prefix, hash), rlp))
    let codeHash = KECCAK256_NULL
    if (spec.code.length > 0) {
      codeHash = keccak(spec.code)
      db.putNode(concatBytes(CODE_PREFIX, codeHash), spec.code)
    }
    entries.push({ key: addressHash, value: new Account(spec.nonce, spec.balance, storageRoot, codeHash).serialize() })
  }
  const stateRoot = trieRoot(entries, keccak, (hash, rlp) => db.putNode(hash, rlp))
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

function pad32(b: Uint8Array): Uint8Array {
  if (b.length === 32) return b
  const out = new Uint8Array(32)
  out.set(b, 32 - b.length)
  return out
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.subarray(i)
}
