import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { orderedTrieRootOf } from '../../../chain/orderedTrie.ts'

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
