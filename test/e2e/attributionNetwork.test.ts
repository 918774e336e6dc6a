// Attribution is consensus: nodes that score with different kernels (onnxruntime with 1 or 2
// threads, WebAssembly, plain JavaScript) re-execute the sequencer's settlement blocks and reach
// the same state roots and the same attribution for every receipt — exact and indexed modes, on a
// Datanet full of ties. Receipts sent to a follower reach the sequencer over gossip.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { pino } from 'pino'
import { createWalletClient, createPublicClient, defineChain, http, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEFAULT_CONFIG, OpalNode } from '../../node/index.ts'
import type { NodeConfig } from '../../node/index.ts'
import { DEFAULT_GRAPH_ID } from '../../precompiles/attribution/onnx/defaultGraph.ts'
import { nodeRpc as rpc, settledAlike, until } from '../support/nodes.ts'
import { DEV_SEQUENCER_INDEX, devAccount, devGenesis, devExamplePrecompiles } from '../../genesis/index.ts'
import type { Genesis } from '../../genesis/index.ts'
import { ATTRIBUTION_ABI, DEFAULT_ADDRESSES } from '../../precompiles/index.ts'
import { ReceiptClient } from '../../rpc/client/receipts.ts'
import type { SignedReceipt } from '../../rpc/client/receipts.ts'

const log = pino({ level: 'silent' })
const DIM = 128
const CONTRIBUTIONS = 2000
const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
const base: Omit<NodeConfig, 'dataDir'> = { ...DEFAULT_CONFIG, port: 0, p2pPort: 0, blockTime: 1, logLevel: 'silent' }
const nodes: OpalNode[] = []

/** Deterministic bytes: keccak of a label and a counter. */
function bytes(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let o = 0, i = 0; o < n; o += 32, i++) out.set(keccak_256(new TextEncoder().encode(`${label}/${i}`)).subarray(0, Math.min(32, n - o)), o)
  return out
}

/**
 * 2,000 sketches around 30 centres, every tenth an exact copy of another: equal scores at every
 * rank, including the k-th, so a kernel that orders ties its own way would diverge.
 */
function sketches(): Int8Array[] {
  const centres = Array.from({ length: 30 }, (_, c) => new Int8Array(bytes(`centre-${c}`, DIM).buffer))
  const out: Int8Array[] = []
  for (let i = 0; i < CONTRIBUTIONS; i++) {
    const noise = new Int8Array(bytes(`noise-${i}`, DIM).buffer)
    out.push(i % 10 === 9 ? out[i - 5] : Int8Array.from(centres[i % 30], (x, j) => Math.max(-128, Math.min(127, x + (noise[j] >> 3)))))
  }
  return out
}
const ALL = sketches()

function genesis(): Genesis {
  const all = ALL
  const owner = devAccount(0).address
  const contributors = Array.from({ length: 8 }, (_, i) => devAccount(i).address)
  const example = devExamplePrecompiles(DEFAULT_GRAPH_ID) as { initial: Record<string, unknown> } & Record<string, unknown>
  const precompiles = {
    ...example,
    initial: {
      ...example.initial,
      datanets: [{
        owner, name: 'ties', sketchDim: DIM, curators: [devAccount(1).address], quorum: 1, publish: true,
        contributions: all.map((s, i) => ({ contributor: contributors[i % 8], contentHash: toHex(keccak_256(new TextEncoder().encode(`c${i}`))), sketch: toHex(new Uint8Array(s.buffer)) })),
      }],
      models: [
        { owner, baseModel: 'm', name: 'exact-model', datanetVersions: [{ datanetId: 1, version: 1 }] },
        { owner, baseModel: 'm', name: 'indexed-model', datanetVersions: [{ datanetId: 1, version: 1 }] },
      ],
      adapters: [
        { modelId: 1, owner, pricePerKTokens: '1000000000000000' },
        { modelId: 2, owner, pricePerKTokens: '1000000000000000' },
      ],
    },
  }
  return devGenesis({ timestamp: BigInt(Math.floor(Date.now() / 1000)), precompiles, validators: 0 })
}

let g: Genesis

before(async () => {
  g = genesis()
  const dir = mkdtempSync(join(tmpdir(), 'opal-attr-net-'))
  const start = (i: number, over: Partial<NodeConfig>) =>
    OpalNode.start({ ...base, dataDir: join(dir, `n${i}`), ...over } as NodeConfig, { genesis: g }, log)
  nodes.push(await start(0, { sequencerKey: devAccount(DEV_SEQUENCER_INDEX).privateKey, attributionKernel: 'onnx', attributionThreads: 2, dev: true }))
  const boot = nodes[0].net?.network.multiaddrs()[0] ?? ''
  nodes.push(await start(1, { follow: true, bootnodes: boot, attributionKernel: 'wasm' }))
  nodes.push(await start(2, { follow: true, bootnodes: boot, attributionKernel: 'onnx', attributionThreads: 1 }))
  nodes.push(await start(3, { follow: true, bootnodes: boot, attributionKernel: 'js' }))
})

after(async () => {
  for (const n of nodes.reverse()) await n.stop()
})


test('every kernel reaches the same attribution and state roots, exact and indexed', async () => {
  assert.deepEqual(nodes.map((n) => n.engine.kernel), ['onnx', 'wasm', 'onnx', 'js'])
  await until('the followers to connect', () => nodes.slice(1).every((n) => (n.net?.network.peers().length ?? 0) > 0))
  // the second model is scored through the LSH index
  const owner = privateKeyToAccount(devAccount(0).privateKey as `0x${string}`)
  const wallet = createWalletClient({ account: owner, chain, transport: http(nodes[0].rpc.url) })
  const client = createPublicClient({ chain, transport: http(nodes[0].rpc.url), pollingInterval: 50 })
  const configured = await wallet.writeContract({ address: DEFAULT_ADDRESSES.attribution, abi: ATTRIBUTION_ABI, functionName: 'configureModel', args: [2n, 16, 2] })
  await client.waitForTransactionReceipt({ hash: configured })

  const key = devAccount(9).privateKey as `0x${string}`
  const viaSequencer = new ReceiptClient({ url: nodes[0].rpc.url, account: key })
  const viaFollower = new ReceiptClient({ url: nodes[3].rpc.url, account: key })
  const all = ALL
  const receipts: SignedReceipt[] = []
  for (let i = 0; i < 120; i++) {
    // queries equal to a contribution (its duplicate ties with it), and noisy ones between centres
    const sketch = i % 2 === 0 ? all[(i * 37) % CONTRIBUTIONS] : Int8Array.from(all[(i * 53) % CONTRIBUTIONS], (x, j) => x ^ (j % 7))
    const model = BigInt(1 + (i % 2))
    receipts.push(await (i < 60 ? viaSequencer : viaFollower).sign({
      adapterId: model, modelId: model, requestId: bytes(`request-${i}`, 32), payer: Uint8Array.from(Buffer.from(devAccount(0).address.slice(2), 'hex')),
      inputTokens: 500n, outputTokens: 500n, fee: 10n ** 15n, sketch,
    }))
  }
  const answers = [...(await viaSequencer.submit(receipts.slice(0, 60))), ...(await viaFollower.submit(receipts.slice(60)))]
  for (const a of answers) assert.equal(a.status, 'accepted', JSON.stringify(a))
  const hashes = answers.map((a) => (a as { hash: string }).hash)

  // every receipt settles on the sequencer (those sent to the follower came by gossip)
  await settledAlike(nodes, hashes)
  let indexed = 0
  let paid = 0n
  for (const h of hashes) {
    const views = await Promise.all(nodes.map((node) => rpc(node, 'opal_getReceipt', [h])))
    for (const v of views.slice(1)) assert.deepEqual(v, views[0], `receipt ${h}`)
    const o = views[0] as { attribution: { mode: string; contributions: Array<{ amount: string }> } }
    assert.ok(o.attribution.contributions.length > 0)
    for (const c of o.attribution.contributions) paid += BigInt(c.amount)
    if (o.attribution.mode === 'indexed') indexed++
  }
  assert.equal(indexed, 60, 'the second model was scored through the index')

  // contribution statistics are not state: every node derives them from the blocks it executed
  const stats = async (node: OpalNode) => {
    const items: Array<{ contributionId: string; earned: string; receiptsSinceEarned: string; candidateReceipts: string }> = []
    for (const cursor of ['0x0', toHex(1000)]) items.push(...((await rpc(node, 'opal_getContributionStats', ['0x1', { cursor, limit: toHex(1000) }])) as { items: typeof items }).items)
    return items
  }
  const views = await Promise.all(nodes.map(stats))
  assert.equal(views[0].length, CONTRIBUTIONS)
  for (const v of views.slice(1)) assert.deepEqual(v, views[0])
  assert.equal(views[0].reduce((t, s) => t + BigInt(s.earned), 0n), paid, 'what the contributions earned is what the receipts paid them')
  assert.ok(views[0].every((s) => BigInt(s.candidateReceipts) === 120n), 'both models cite the whole Datanet: every receipt had every contribution as a candidate')
})
