// The trie engine against @ethereumjs/mpt: the same random puts and deletes give the same roots,
// and each reads the nodes the other wrote.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { KECCAK256_RLP, ValueEncoding } from '@ethereumjs/util'
import { loadCrypto } from '../../../chain/crypto.ts'
import { openLevel } from '../../../chain/db/level.ts'
import { StateDB } from '../../../chain/db/stateDb.ts'
import { TrieEngine } from '../../../chain/trie/engine.ts'
import type { TrieUpdate } from '../../../chain/trie/engine.ts'
import { decodeNode, encodeNode } from '../../../chain/trie/nodes.ts'
import { rng, tempDir } from './fixtures.ts'

const crypto = await loadCrypto()

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

async function stateDb(): Promise<StateDB> {
  return new StateDB(await openLevel(tempDir()))
}

function stockTrie(db: StateDB, root: Uint8Array, keyPrefix?: Uint8Array): MerklePatriciaTrie {
  // noble's keccak (the library default): an independent check of the engine's hashing
  return new MerklePatriciaTrie({ db, root, useKeyHashing: false, valueEncoding: ValueEncoding.Bytes, keyPrefix })
}

type KeyShape = 'random' | 'shared'

/** Keys that share long prefixes (differing in the last bytes or one nibble) make extensions and embedded nodes. */
function keyMaker(rand: (n: number) => number, shape: KeyShape): () => Uint8Array {
  const bases = [0, 1, 2].map(() => Uint8Array.from({ length: 32 }, () => rand(256)))
  return () => {
    const key = Uint8Array.from({ length: 32 }, () => rand(256))
    if (shape === 'random') return key
    const base = bases[rand(3)].slice()
    const mode = rand(4)
    if (mode === 0) base[31] = rand(4) // only the last byte differs, from a small set
    else if (mode === 1) base.set(key.subarray(0, 2), 30)
    else if (mode === 2) base[rand(32)] ^= 1 << rand(8) // one bit anywhere
    else base.set(key.subarray(0, 6), 26)
    return base
  }
}

function value(rand: (n: number) => number): Uint8Array {
  const len = rand(3) === 0 ? 33 + rand(60) : 1 + rand(4)
  return Uint8Array.from({ length: len }, () => 1 + rand(255))
}

for (const shape of ['shared', 'random'] as const) {
  for (const prefixed of [false, true]) {
    test(`random batches of puts and deletes give @ethereumjs/mpt's roots (${shape} keys${prefixed ? ', prefixed node keys' : ''})`, async () => {
      const rand = rng(shape === 'shared' ? 11 : 23)
      const prefix = prefixed ? Uint8Array.from([9, 8, 7, 6, 5, 4, 3]) : undefined
      const ours = await stateDb()
      const theirs = await stateDb()
      const engine = new TrieEngine(ours, crypto.keccak256, 64) // a small cache: reads go to the database too
      const stock = stockTrie(theirs, KECCAK256_RLP, prefix)
      const newKey = keyMaker(rand, shape)
      const model = new Map<string, Uint8Array>()
      let root = KECCAK256_RLP
      let largest = 0
      for (let round = 0; round < 60; round++) {
        const batch: TrieUpdate[] = []
        const live = [...model.keys()]
        if (round % 20 === 19) {
          // empty the trie, with a few puts of keys that are deleted again in the same batch
          const k = newKey()
          batch.push({ key: k, value: value(rand) })
          for (const h of live) batch.push({ key: Buffer.from(h, 'hex'), value: null })
          batch.push({ key: k, value: null })
        } else {
          // random keys: bigger batches, for deeper tries
          for (let n = 1 + rand(shape === 'random' ? 120 : 50); n > 0; n--) {
            const r = rand(10)
            if (r < 5 || live.length === 0) batch.push({ key: newKey(), value: value(rand) })
            else if (r < 7) batch.push({ key: Buffer.from(live[rand(live.length)], 'hex'), value: value(rand) })
            else if (r < 9) batch.push({ key: Buffer.from(live[rand(live.length)], 'hex'), value: null })
            else batch.push({ key: newKey(), value: null }) // a delete of an absent key
          }
        }
        for (const u of batch) {
          if (u.value === null) {
            await stock.del(u.key)
            model.delete(hex(u.key))
          } else {
            await stock.put(u.key, u.value)
            model.set(hex(u.key), u.value)
          }
        }
        largest = Math.max(largest, model.size)
        root = await engine.apply(root, batch, prefix)
        assert.equal(hex(root), hex(stock.root()), `round ${round}: ${batch.length} updates on ${live.length} keys`)
        if (round % 20 === 19) assert.equal(hex(root), hex(KECCAK256_RLP), 'emptied')
        if (round % 5 === 4) await crossRead(ours, theirs, root, model, prefix, newKey)
      }
      assert.ok(largest > (shape === 'random' ? 400 : 150), `the trie grew to ${largest} keys`)
    })
  }
}

/** Each side reads every key from the other's database, with no node missing. */
async function crossRead(ours: StateDB, theirs: StateDB, root: Uint8Array, model: Map<string, Uint8Array>, prefix: Uint8Array | undefined, newKey: () => Uint8Array): Promise<void> {
  const stockOverOurs = stockTrie(ours, root, prefix)
  const engineOverTheirs = new TrieEngine(theirs, crypto.keccak256)
  for (const [k, v] of model) {
    const key = Buffer.from(k, 'hex')
    assert.equal(hex((await stockOverOurs.get(key, true)) ?? new Uint8Array()), hex(v), 'the stock trie reads what the engine wrote')
    assert.equal(hex((await engineOverTheirs.get(root, key, prefix)) ?? new Uint8Array()), hex(v), 'the engine reads what the stock trie wrote')
  }
  // (the stock trie cannot walk an empty trie with throwIfMissing: its root node is nowhere)
  const strict = model.size > 0
  for (let i = 0; i < 5; i++) {
    const absent = newKey()
    if (model.has(hex(absent))) continue
    assert.equal(await stockOverOurs.get(absent, strict), null)
    assert.equal(await engineOverTheirs.get(root, absent, prefix), undefined)
  }
}

test('an update that changes nothing keeps the root and writes nothing', async () => {
  const db = await stateDb()
  const engine = new TrieEngine(db, crypto.keccak256)
  const rand = rng(5)
  const updates = Array.from({ length: 300 }, () => ({ key: crypto.keccak256(Uint8Array.of(rand(256), rand(256))), value: value(rand) }))
  const root = await engine.apply(KECCAK256_RLP, updates)
  const written = db.pendingCount
  const same = await engine.apply(root, [...updates.slice(0, 50), { key: crypto.keccak256(Uint8Array.of(1, 2, 3, 4)), value: null }])
  assert.equal(hex(same), hex(root))
  assert.equal(db.pendingCount, written)
})

test('for a key given twice in a batch, the last update wins', async () => {
  const engine = new TrieEngine(await stateDb(), crypto.keccak256)
  const k = crypto.keccak256(Uint8Array.of(1))
  const other = { key: crypto.keccak256(Uint8Array.of(2)), value: Uint8Array.of(7) }
  const a = await engine.apply(KECCAK256_RLP, [{ key: k, value: Uint8Array.of(1) }, other, { key: k, value: Uint8Array.of(2) }])
  const b = await engine.apply(KECCAK256_RLP, [other, { key: k, value: Uint8Array.of(2) }])
  assert.equal(hex(a), hex(b))
  const c = await engine.apply(KECCAK256_RLP, [{ key: k, value: Uint8Array.of(1) }, other, { key: k, value: null }])
  const d = await engine.apply(KECCAK256_RLP, [other])
  assert.equal(hex(c), hex(d))
})

test('node encoding round-trips byte for byte, and a missing node is an error, not an absent key', async () => {
  const db = await stateDb()
  const engine = new TrieEngine(db, crypto.keccak256)
  const rand = rng(3)
  const root = await engine.apply(KECCAK256_RLP, Array.from({ length: 200 }, (_, i) => ({ key: crypto.keccak256(Uint8Array.of(i)), value: value(rand) })))
  const raw = (await db.getNode(root)) as Uint8Array
  assert.equal(hex(encodeNode(decodeNode(raw))), hex(raw))
  const cold = new TrieEngine(await stateDb(), crypto.keccak256)
  await assert.rejects(cold.get(root, crypto.keccak256(Uint8Array.of(1))), /missing trie node/)
})
