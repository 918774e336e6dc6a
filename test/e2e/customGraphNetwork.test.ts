// A registered scoring graph is consensus too: a follower that re-executes the blocks registering
// the graph gets its bytes from them, and after a restart (nothing decoded in memory) reads them
// from its database to re-execute the settlements of receipts scored by that graph, exact and
// indexed — same state roots, same attribution, and for the exact model the contributions the
// graph's rule picks, computed here.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { pino } from 'pino'
import { createPublicClient, createWalletClient, defineChain, http, keccak256, toHex } from 'viem'
import type { Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEFAULT_CONFIG, OpalNode } from '../../node/index.ts'
import type { NodeConfig } from '../../node/index.ts'
import { DEFAULT_GRAPH_ID } from '../../precompiles/attribution/onnx/defaultGraph.ts'
import { defaultGraphTemplate } from '../../precompiles/attribution/onnx/graph.ts'
import { onnx } from '../../precompiles/attribution/onnx/proto.ts'
import type { OnnxNs } from '../../precompiles/attribution/onnx/proto.ts'
import { nodeRpc as rpc, settledAlike, until } from '../support/nodes.ts'
import { DEV_SEQUENCER_INDEX, devAccount, devGenesis, devExamplePrecompiles } from '../../genesis/index.ts'
import type { Genesis } from '../../genesis/index.ts'
import { ADAPTER_ABI, ATTRIBUTION_ABI, DEFAULT_ADDRESSES, MODEL_ABI } from '../../precompiles/index.ts'
import { ReceiptClient } from '../../rpc/client/receipts.ts'
import type { SignedReceipt } from '../../rpc/client/receipts.ts'

const log = pino({ level: 'silent' })
const DIM = 64
const CONTRIBUTIONS = 300
const K = 6
/** the graph's score: 2 · (q · c) − BAR */
const BAR = 20_000
const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
const base: Omit<NodeConfig, 'dataDir'> = { ...DEFAULT_CONFIG, port: 0, p2pPort: 0, blockTime: 1, logLevel: 'silent' }
const nodes: OpalNode[] = []
let dir: string
let g: Genesis

function bytes(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let o = 0, i = 0; o < n; o += 32, i++) out.set(keccak_256(new TextEncoder().encode(`${label}/${i}`)).subarray(0, Math.min(32, n - o)), o)
  return out
}

/** sketches around 10 centres, every seventh a copy of an earlier one: ties at every rank */
const ALL: Int8Array[] = []
for (let i = 0; i < CONTRIBUTIONS; i++) {
  const centre = new Int8Array(bytes(`centre-${i % 10}`, DIM).buffer)
  const noise = new Int8Array(bytes(`noise-${i}`, DIM).buffer)
  ALL.push(i % 7 === 6 ? ALL[i - 3] : Int8Array.from(centre, (x, j) => Math.max(-128, Math.min(127, x + (noise[j] >> 2)))))
}

function twiceLessBar(): Uint8Array {
  const model = onnx.ModelProto.decode(defaultGraphTemplate())
  const graph = model.graph as OnnxNs.GraphProto
  graph.name = 'twice-less-bar'
  const scalar = (name: string, v: number) => {
    const raw = new Uint8Array(4)
    new DataView(raw.buffer).setInt32(0, v, true)
    return onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.INT32, dims: [], rawData: raw })
  }
  graph.initializer.push(scalar('two', 2), scalar('bar', BAR))
  graph.node.splice(1, 0,
    onnx.NodeProto.create({ opType: 'Mul', input: ['dots', 'two'], output: ['doubled'], name: 'double' }),
    onnx.NodeProto.create({ opType: 'Sub', input: ['doubled', 'bar'], output: ['shifted'], name: 'less' }))
  ;(graph.node[3].input as string[])[0] = 'shifted'
  return onnx.ModelProto.encode(model).finish()
}

function genesis(): Genesis {
  const owner = devAccount(0).address
  const example = devExamplePrecompiles(DEFAULT_GRAPH_ID) as { initial: Record<string, unknown> } & Record<string, unknown>
  return devGenesis({
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    validators: 0,
    precompiles: {
      ...example,
      initial: {
        ...example.initial,
        datanets: [{
          owner, name: 'graph-data', sketchDim: DIM, curators: [devAccount(1).address], quorum: 1, publish: true,
          contributions: ALL.map((s, i) => ({ contributor: devAccount(i % 8).address, contentHash: toHex(keccak_256(new TextEncoder().encode(`c${i}`))), sketch: toHex(new Uint8Array(s.buffer)) })),
        }],
        models: [],
        adapters: [],
      },
    },
  })
}

const start = (i: number, over: Partial<NodeConfig>) => OpalNode.start({ ...base, dataDir: join(dir, `n${i}`), ...over } as NodeConfig, { genesis: g }, log)
const followerConfig = (): Partial<NodeConfig> => ({ follow: true, bootnodes: nodes[0].net?.network.multiaddrs()[0].toString() ?? '', attributionKernel: 'js' })

before(async () => {
  g = genesis()
  dir = mkdtempSync(join(tmpdir(), 'opal-graph-net-'))
  nodes.push(await start(0, { sequencerKey: devAccount(DEV_SEQUENCER_INDEX).privateKey, attributionKernel: 'wasm', dev: true }))
  nodes.push(await start(1, followerConfig()))
})

after(async () => {
  for (const n of nodes.reverse()) await n.stop()
})

test('a follower re-executes settlements by a registered graph, after a restart too, to the same state', async () => {
  await until('the follower to connect', () => (nodes[1].net?.network.peers().length ?? 0) > 0)
  const owner = privateKeyToAccount(devAccount(0).privateKey as `0x${string}`)
  const wallet = createWalletClient({ account: owner, chain, transport: http(nodes[0].rpc.url) })
  const client = createPublicClient({ chain, transport: http(nodes[0].rpc.url), pollingInterval: 50 })
  const send = async (address: `0x${string}`, abi: Abi, functionName: string, args: unknown[]) => {
    const { request, result } = await client.simulateContract({ account: owner, address, abi, functionName, args } as never)
    const receipt = await client.waitForTransactionReceipt({ hash: await wallet.writeContract(request as never) })
    assert.equal(receipt.status, 'success', functionName)
    return result as unknown
  }
  const graph = twiceLessBar()
  const graphId = keccak256(graph)
  assert.equal(await send(DEFAULT_ADDRESSES.attribution, ATTRIBUTION_ABI, 'registerScoringGraph', [toHex(graph)]), graphId)
  const models: bigint[] = []
  for (const name of ['exact-by-graph', 'indexed-by-graph']) {
    const id = (await send(DEFAULT_ADDRESSES.models, MODEL_ABI, 'registerModel', ['m', name, [{ datanetId: 1n, version: 1n }], toHex(new Uint8Array(32)), graphId])) as bigint
    await send(DEFAULT_ADDRESSES.adapters, ADAPTER_ABI, 'registerAdapter', [id, toHex(new Uint8Array(32)), 'ipfs://a', 8, 'q', 10n ** 18n])
    models.push(id)
  }
  await send(DEFAULT_ADDRESSES.attribution, ATTRIBUTION_ABI, 'configureModel', [models[0], K, 1])
  await send(DEFAULT_ADDRESSES.attribution, ATTRIBUTION_ABI, 'configureModel', [models[1], K, 2])

  // the follower restarts once it has the registrations: its graph bytes now come from its database
  const registered = nodes[0].chain.head.number
  await until('the follower to have the registrations', () => nodes[1].chain.head.number >= registered, 60_000)
  await nodes[1].stop()
  nodes[1] = await start(1, followerConfig())
  await until('the follower to reconnect', () => (nodes[1].net?.network.peers().length ?? 0) > 0)

  const server = new ReceiptClient({ url: nodes[0].rpc.url, account: devAccount(9).privateKey as `0x${string}` })
  const receipts: SignedReceipt[] = []
  for (let i = 0; i < 30; i++) {
    const sketch = i % 3 === 0 ? ALL[(i * 37) % CONTRIBUTIONS] : Int8Array.from(ALL[(i * 53) % CONTRIBUTIONS], (x, j) => x ^ (j % 5))
    const model = models[i % 2]
    receipts.push(await server.sign({
      adapterId: model, modelId: model, requestId: bytes(`request-${i}`, 32), payer: Uint8Array.from(Buffer.from(owner.address.slice(2), 'hex')),
      inputTokens: 500n, outputTokens: 500n, fee: 10n ** 18n, sketch,
    }))
  }
  const answers = await server.submit(receipts)
  for (const a of answers) assert.equal(a.status, 'accepted', JSON.stringify(a))
  const hashes = answers.map((a) => (a as { hash: string }).hash)
  await settledAlike(nodes, hashes)
  let indexed = 0
  for (const [i, h] of hashes.entries()) {
    const [mine, theirs] = await Promise.all(nodes.map((node) => rpc(node, 'opal_getReceipt', [h])))
    assert.deepEqual(theirs, mine, `receipt ${i}`)
    const o = mine as { attribution: { mode: string; contributions: Array<{ contributionId: string; score: string }> } }
    if (o.attribution.mode === 'indexed') indexed++
    if (i % 2 !== 0) continue
    // the exact model: the graph's rule over every contribution, ties to the lower id
    const q = receipts[i].sketch
    const want = ALL.map((c, index) => ({ id: BigInt(index + 1), score: 2 * c.reduce((t, x, j) => t + x * q[j], 0) - BAR }))
      .filter((e) => e.score > 0)
      .sort((a, b) => b.score - a.score || Number(a.id - b.id))
      .slice(0, K)
      .sort((a, b) => Number(a.id - b.id))
    assert.ok(want.length > 0)
    assert.deepEqual(o.attribution.contributions.map((c) => [BigInt(c.contributionId), Number(c.score)]), want.map((e) => [e.id, e.score]), `receipt ${i}`)
  }
  assert.equal(indexed, 15, 'the second model was scored on what its index proposes')
})
