// A Datanet seeded at genesis: its contributions go into the attribution engine's prefix cache from
// the seeded records in memory, are kept in the chain's derived store once it is open, and a
// restarted node's engine scores from that store exactly what an engine reading the state scores.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { Chain, loadCrypto } from '../../../chain/index.ts'
import { Bucket } from '../../../chain/db/buckets.ts'
import { devAccount, devExamplePrecompiles, devGenesis } from '../../../genesis/index.ts'
import { createPrecompileParts } from '../../../node/precompiles.ts'
import type { PrecompileParts } from '../../../node/precompiles.ts'
import { DEFAULT_GRAPH_ID } from '../../../precompiles/attribution/onnx/defaultGraph.ts'
import { Store } from '../../../precompiles/framework/storage.ts'
import { registryStores } from '../../../precompiles/stores.ts'
import { tempDir } from './fixtures.ts'

const N = 300
const DIM = 16
const crypto = await loadCrypto()
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as const
const genesis = devGenesis({
  timestamp: 1_700_000_000n,
  precompiles: {
    ...(devExamplePrecompiles(DEFAULT_GRAPH_ID) as Record<string, unknown>),
    initial: {
      datanets: [{
        owner: devAccount(0).address, name: 'seeded', sketchDim: DIM, curators: [devAccount(1).address], quorum: 1, publish: true,
        contributions: Array.from({ length: N }, (_, i) => ({
          contributor: devAccount(i % 5).address,
          contentHash: hex(crypto.keccak256(new TextEncoder().encode(`content ${i}`))),
          sketch: hex(Uint8Array.from({ length: DIM }, (_, j) => (i * 31 + j * 7) % 256)),
        })),
      }],
      models: [{ owner: devAccount(0).address, baseModel: 'base', name: 'seeded-model', datanetVersions: [{ datanetId: 1, version: 1 }] }],
    },
  },
})
const open: Array<{ close(): Promise<void> }> = []
after(async () => {
  for (const c of open.reverse()) await c.close()
})

async function node(dataDir: string): Promise<{ chain: Chain; parts: PrecompileParts }> {
  const parts = await createPrecompileParts(genesis, crypto, { kernel: 'js', threads: 1 })
  open.push(parts)
  const chain = await Chain.open({ dataDir, genesis, crypto, extensions: parts.precompiles })
  open.push(chain)
  return { chain, parts }
}

async function derivedEntries(chain: Chain): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const v of chain.database.values({ gte: Uint8Array.of(Bucket.derived), lt: Uint8Array.of(Bucket.derived + 1) })) out.push(v)
  return out
}

async function candidatesOf(chain: Chain, parts: PrecompileParts) {
  const state = await chain.readState(chain.head)
  const stores = registryStores(new Store(state, parts.settings.addresses.models, undefined, true), parts.settings)
  const info = await parts.engine.modelInfo(stores, 1n)
  assert.ok(info !== undefined)
  const c = await parts.engine.candidates(stores, info)
  return { ids: c.ids, contributors: c.contributors.map(hex), rows: [...c.rows] }
}

test('a seeded Datanet is cached from genesis, kept in the derived store, and scores the same from it as from state', async () => {
  const dataDir = tempDir()
  const first = await node(dataDir)
  // genesis was built while the chain opened: its Datanet is cached, and kept once the store is given
  assert.deepEqual(await derivedEntries(first.chain), [])
  await first.parts.engine.usePrefixStore(first.chain.derivedStore())
  const kept = await derivedEntries(first.chain)
  assert.equal(kept.length, 1)
  assert.equal(kept[0].length, N * (8 + 20 + DIM), 'every contribution: id, contributor, sketch')
  const fromGenesis = await candidatesOf(first.chain, first.parts)
  assert.equal(fromGenesis.ids.length, N)
  await first.chain.close()

  // a restart: no genesis is built; the prefix comes from the derived store
  const again = await node(dataDir)
  await again.parts.engine.usePrefixStore(again.chain.derivedStore())
  const fromStore = await candidatesOf(again.chain, again.parts)
  // an engine without the store reads every contribution from the state trie
  const plain = await createPrecompileParts(genesis, crypto, { kernel: 'js', threads: 1 })
  open.push(plain)
  const fromState = await candidatesOf(again.chain, plain)
  assert.deepEqual(fromStore, fromState)
  assert.deepEqual(fromGenesis, fromState)
})
