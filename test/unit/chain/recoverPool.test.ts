import { test } from 'node:test'
import assert from 'node:assert/strict'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { RecoverPool } from '../../../chain/sigs/recoverPool.ts'

function signed(key: Uint8Array, i: number): { hash: Uint8Array; sig: Uint8Array } {
  const hash = keccak_256(Uint8Array.of(i & 255, i >> 8))
  const s = secp256k1.sign(hash, key, { prehash: false, format: 'recovered' })
  const sig = new Uint8Array(65)
  sig.set(s.subarray(1))
  sig[64] = 27 + s[0]
  return { hash, sig }
}

test('worker threads recover the signer of every signature, in order; bad ones give undefined', async () => {
  const keys = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]
  const addrs = keys.map((k) => keccak_256(secp256k1.getPublicKey(k, false).subarray(1)).subarray(12))
  const items = Array.from({ length: 300 }, (_, i) => signed(keys[i % 2], i))
  const bad = new Uint8Array(65)
  bad[64] = 5
  items[7] = { hash: items[7].hash, sig: bad }
  const pool = new RecoverPool(2)
  try {
    const out = await pool.recover(items.map((x) => x.hash), items.map((x) => x.sig))
    assert.equal(out.length, 300)
    out.forEach((a, i) => {
      if (i === 7) assert.equal(a, undefined)
      else assert.deepEqual(a, addrs[i % 2], `signature ${i}`)
    })
  } finally {
    await pool.close()
  }
})
