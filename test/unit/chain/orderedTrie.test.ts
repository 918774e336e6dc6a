import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { orderedTrieRootOf, sortedByKey, trieRoot } from '../../../chain/orderedTrie.ts'

async function reference(values: Uint8Array[]): Promise<Uint8Array> {
  const trie = new MerklePatriciaTrie()
  for (let i = 0; i < values.length; i++) await trie.put(RLP.encode(i), values[i])
  return trie.root()
}

test('the one-pass ordered trie root equals the MPT root for every size and value length', async () => {
  let seed = 7
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff)
  for (const n of [0, 1, 2, 3, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1500]) {
    for (const len of n > 300 ? [40] : [1, 5, 31, 33, 120]) {
      const values = Array.from({ length: n }, () => Uint8Array.from({ length: 1 + (rand() % len) }, () => rand() & 255))
      assert.deepEqual(orderedTrieRootOf(values, keccak_256), await reference(values), `n=${n} len=${len}`)
    }
  }
})

test('a trie of hashed keys has the MPT root; large ones are sorted by bucket into plain key order', async () => {
  let seed = 11
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff)
  const hashed = (n: number) => Array.from({ length: n }, (_, i) => ({ key: keccak_256(Uint8Array.of(i >> 16, (i >> 8) & 255, i & 255)), value: Uint8Array.from({ length: 1 + (rand() % 40) }, () => rand() & 255) }))
  const entries = hashed(3000)
  const trie = new MerklePatriciaTrie()
  for (const e of entries) await trie.put(e.key, e.value)
  assert.deepEqual(trieRoot(entries, keccak_256), trie.root())
  // past 65,536 entries the sort buckets by the first two bytes: the same order as a plain sort
  const many = hashed(70_000)
  assert.deepEqual(sortedByKey(many), [...many].sort((a, b) => Buffer.compare(a.key, b.key)))
})

test('a genesis built in one pass has the state root the state manager computes, and reads back through it', async () => {
  const { MerkleStateManager } = await import('@ethereumjs/statemanager')
  const { Account, Address } = await import('@ethereumjs/util')
  const { openChain, fixedGenesis } = await import('./fixtures.ts')
  const genesis = fixedGenesis()
  const slot = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as `0x${string}`
  genesis.alloc.set('0x1111111111111111111111111111111111111111', {
    balance: 5n, nonce: 2n, code: Uint8Array.of(0x60, 0x00, 0x56),
    storage: new Map([[slot(1), slot(42)], [slot(2), slot(0)], [slot(300), `0x${'ff'.repeat(32)}` as `0x${string}`]]),
  })
  const chain = await openChain(undefined, genesis)
  // the reference: the same accounts put through @ethereumjs's state manager on a fresh trie
  const ref = new MerkleStateManager({ common: chain.common })
  const precompiles = await chain.extensions.genesisAlloc(genesis.timestamp)
  for (const [addr, acc] of genesis.alloc) {
    const a = new Address(Buffer.from(addr.slice(2), 'hex'))
    await ref.putAccount(a, new Account(acc.nonce, acc.balance))
    if (acc.code.length > 0) await ref.putCode(a, acc.code)
    for (const [k, v] of acc.storage) await ref.putStorage(a, Buffer.from(k.slice(2), 'hex'), strip(Buffer.from(v.slice(2), 'hex')))
  }
  for (const e of precompiles) {
    const a = new Address(e.address)
    await ref.putAccount(a, new Account(e.nonce, 0n))
    await ref.putCode(a, e.code)
    for (const [k, v] of e.storage) await ref.putStorage(a, k, v)
  }
  assert.deepEqual(chain.head.stateRoot, await ref.getStateRoot())
  const state = await chain.stateAt(chain.head)
  const a = new Address(Buffer.from('1111111111111111111111111111111111111111', 'hex'))
  assert.equal((await state.getAccount(a))?.balance, 5n)
  assert.deepEqual([...(await state.getCode(a))], [0x60, 0x00, 0x56])
  assert.deepEqual([...(await state.getStorage(a, Buffer.from(slot(1).slice(2), 'hex')))], [42])
  assert.equal((await state.getStorage(a, Buffer.from(slot(2).slice(2), 'hex'))).length, 0)
  await chain.close()
})

function strip(b: Uint8Array): Uint8Array {
  const first = b.findIndex((x) => x !== 0)
  return first < 0 ? new Uint8Array() : b.subarray(first)
}
