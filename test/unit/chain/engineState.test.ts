// The execution state (trie engine underneath) against the stock MerkleStateManager: the same
// random blocks give the same state roots and reads, the stock reader reads everything the engine
// wrote, and proofs over it verify.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MerkleStateManager, getMerkleStateProof, verifyMerkleStateProof } from '@ethereumjs/statemanager'
import { Account, Address, KECCAK256_RLP } from '@ethereumjs/util'
import { createChainCommon } from '../../../chain/common.ts'
import { loadCrypto } from '../../../chain/crypto.ts'
import { openLevel } from '../../../chain/db/level.ts'
import type { Level } from '../../../chain/db/level.ts'
import { StateDB } from '../../../chain/db/stateDb.ts'
import { createExecutionState, createStateView, createTrie, executionCaches } from '../../../chain/state.ts'
import { rng, tempDir } from './fixtures.ts'

const crypto = await loadCrypto()
const common = createChainCommon(31337n, crypto)

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** The execution state as it was before the engine: the stock manager with the same options. */
function stockExecutionState(db: StateDB, root: Uint8Array): MerkleStateManager {
  return new MerkleStateManager({
    trie: createTrie(db, common, root),
    common,
    prefixStorageTrieKeys: true,
    caches: executionCaches(),
  })
}

interface Side {
  level: Level
  db: StateDB
  sm: MerkleStateManager
}

async function side(make: (db: StateDB, root: Uint8Array) => MerkleStateManager): Promise<Side> {
  const level = await openLevel(tempDir())
  const db = new StateDB(level, 1_000)
  return { level, db, sm: make(db, KECCAK256_RLP) }
}

/** What the chain does with a block's state writes: one batch into LevelDB. */
async function persist(s: Side): Promise<void> {
  await s.level.batch(s.db.drain().map((o) => ({ type: 'put' as const, ...o })))
}

test('random blocks give the stock state manager\'s roots and reads; the stock reader and proofs work on what the engine wrote', async () => {
  const rand = rng(42)
  const stock = await side(stockExecutionState)
  const ours = await side((db, root) => createExecutionState(db, common, root))
  const addresses = Array.from({ length: 10 }, (_, i) => new Address(Uint8Array.from({ length: 20 }, (_, j) => (i * 31 + j * 7) & 255)))
  const slots = Array.from({ length: 40 }, (_, i) => crypto.keccak256(Uint8Array.of(i)).map((b, j) => (j < 28 ? 0 : b))) // small slot numbers, as contracts use
  // addresses deleted since their last creation: the EVM writes their storage only after a
  // CREATE (which clears it), even when a plain transfer has brought the account back
  const dead = new Set<number>()
  const roots: Uint8Array[] = []

  /** Runs `f` on both managers (draw random values before, not inside); the same value or both throw. */
  async function both<T>(f: (sm: MerkleStateManager) => Promise<T>, what: string): Promise<T | undefined> {
    const a = await f(stock.sm).then((v) => ({ v }), (e: Error) => ({ e: e.message }))
    const b = await f(ours.sm).then((v) => ({ v }), (e: Error) => ({ e: e.message }))
    assert.deepEqual(b, a, what)
    return 'v' in a ? a.v : undefined
  }

  const value = () => {
    const r = rand(6)
    if (r === 0) return new Uint8Array() // clears the slot
    if (r === 1) return Uint8Array.of(0, 0, rand(256)) // leading zeros are stripped
    return Uint8Array.from({ length: 1 + rand(32) }, () => rand(256))
  }

  /**
   * Whether a CREATE may target the address (it clears the storage, which the stock manager does
   * not journal: only an address without storage, as the EVM's collision check ensures, is safe).
   */
  async function creatable(i: number): Promise<boolean> {
    return dead.has(i) || (await stock.sm.getAccount(addresses[i])) === undefined
  }

  /** Code and storage arrive through a CREATE when the account is absent or was destroyed. */
  async function contract(sm: MerkleStateManager, i: number, create: boolean): Promise<void> {
    if (!create) return
    await sm.putAccount(addresses[i], new Account(1n, 0n))
    await sm.clearStorage(addresses[i])
  }

  async function action(): Promise<void> {
    const i = rand(addresses.length)
    const a = addresses[i]
    const r = rand(40)
    if (r < 8) {
      // a transfer: the account as read, with a new balance (and nonce)
      const amount = BigInt(1 + rand(1000))
      await both(async (sm) => {
        const acc = (await sm.getAccount(a)) ?? new Account()
        acc.balance += amount
        if (r < 2) acc.nonce += 1n
        await sm.putAccount(a, acc)
      }, 'transfer')
    } else if (r < 24) {
      const slot = slots[rand(slots.length)]
      const v = value()
      const create = await creatable(i)
      await both(async (sm) => {
        await contract(sm, i, create)
        await sm.putStorage(a, slot, v)
      }, 'sstore')
      dead.delete(i)
    } else if (r < 30) {
      const slot = slots[rand(slots.length)]
      // only code reads storage, and a dead address has code again only through a CREATE
      if (!dead.has(i)) await both(async (sm) => hex(await sm.getStorage(a, slot)), 'sload')
      // mid-block the storage root is the one of the last flush (the stock manager's follows every put)
      await both(async (sm) => {
        const acc = await sm.getAccount(a)
        return acc === undefined ? undefined : [acc.nonce, acc.balance, hex(acc.codeHash)]
      }, 'account')
    } else if (r < 32) {
      const code = Uint8Array.from({ length: 1 + rand(40) }, () => rand(256))
      const create = await creatable(i)
      await both(async (sm) => {
        await contract(sm, i, create)
        await sm.putCode(a, code)
        return hex(await sm.getCode(a))
      }, 'code')
      dead.delete(i)
    } else if (r < 34) {
      // SELFDESTRUCT in the transaction that created the contract: the only deletion of an
      // account with storage the EVM makes (EIP-6780), so all its storage is from this transaction
      if (!(await creatable(i))) return
      const writes = Array.from({ length: 1 + rand(4) }, () => [slots[rand(slots.length)], value()] as const)
      const keep = rand(3) > 0
      await both(async (sm) => {
        await sm.checkpoint()
        await sm.putAccount(a, new Account(1n, 0n))
        await sm.clearStorage(a)
        for (const [slot, v] of writes) await sm.putStorage(a, slot, v)
        await sm.deleteAccount(a)
        await (keep ? sm.commit() : sm.revert())
      }, 'create and selfdestruct')
      dead.add(i)
    } else {
      // a transaction: its changes kept or reverted
      await both((sm) => sm.checkpoint(), 'checkpoint')
      for (let n = rand(6); n > 0; n--) await action()
      const keep = rand(2) === 0
      await both((sm) => (keep ? sm.commit() : sm.revert()), keep ? 'commit' : 'revert')
    }
  }

  for (let block = 0; block < 30; block++) {
    if (block === 20) {
      // a failed block: both go back to an earlier root, as the producer does
      await both((sm) => sm.setStateRoot(roots[15]), 'rewind')
      dead.clear() // caches dropped with the rewind
    }
    await both((sm) => sm.checkpoint(), 'block checkpoint')
    for (let n = 0; n < 40; n++) await action()
    await both((sm) => sm.commit(), 'block commit')
    const root = (await both(async (sm) => hex(await sm.getStateRoot()), `state root of block ${block}`)) as string
    roots.push(Buffer.from(root, 'hex'))
    await persist(stock)
    await persist(ours)
  }

  const root = roots[roots.length - 1]
  assert.notEqual(hex(root), hex(KECCAK256_RLP))
  // the stock reader over the engine's database, against the stock reader over the stock database
  const reference = createStateView(stock.db, common, root)
  const view = createStateView(ours.db, common, root)
  // and the engine state opened over the stock database (it reads what @ethereumjs wrote)
  const engineOverStock = createExecutionState(new StateDB(stock.level), common, root)
  let stored = 0
  let verified = 0
  for (const a of addresses) {
    const expected = await reference.getAccount(a)
    assert.equal((await view.getAccount(a))?.serialize().toString(), expected?.serialize().toString())
    assert.equal((await engineOverStock.getAccount(a))?.serialize().toString(), expected?.serialize().toString())
    assert.equal(hex(await view.getCode(a)), hex(await reference.getCode(a)))
    for (const slot of slots) {
      const v = hex(await reference.getStorage(a, slot))
      if (v !== '') stored++
      assert.equal(hex(await view.getStorage(a, slot)), v)
      assert.equal(hex(await engineOverStock.getStorage(a, slot)), v)
    }
    const proof = await getMerkleStateProof(view, a, slots.slice(0, 8))
    assert.deepEqual(proof, await getMerkleStateProof(reference, a, slots.slice(0, 8)))
    // (@ethereumjs's verifier rejects the storage proofs of an existing account with empty storage, whoever wrote it)
    if (expected === undefined || hex(expected.storageRoot) !== hex(KECCAK256_RLP)) {
      assert.equal(await verifyMerkleStateProof(view, proof), true)
      verified++
    }
  }
  assert.ok(stored > 20, `storage was exercised (${stored} slots set at the end)`)
  assert.ok(verified >= 5, `${verified} proofs verified`)
})
