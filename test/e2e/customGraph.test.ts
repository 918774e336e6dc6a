// A registered scoring graph end to end, against a devnet process: a graph that weighs some sketch
// dimensions four times is registered, a model cites it, and a signed receipt pays exactly the
// contributions that graph ranks first — not those the default graph would — to the wei, computed
// here from the rule. The `score` view agrees, also in the transaction that registers the graph;
// span evidence outside the graph's top k counts by its tokens only; graphs with forbidden
// operations, or that the interpreter cannot run, are refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createWalletClient, http, keccak256, toHex } from 'viem'
import type { Abi } from 'viem'
import { ADAPTER_ABI, ATTRIBUTION_ABI, DATANET_ABI, DEFAULT_ADDRESSES, MODEL_ABI } from '../../precompiles/index.ts'
import { onnx } from '../../precompiles/attribution/onnx/proto.ts'
import type { OnnxNs } from '../../precompiles/attribution/onnx/proto.ts'
import { DIM, PRICE, QUERY, SEQUENCER, SKETCHES, alice, attributionDevnet, bob, carol, dave, hexOf, opalChain, operator, owner } from '../support/attribution.ts'
import { graphUserContract } from '../support/contracts.ts'
import { rpc } from '../support/devnet.ts'

const { datanets: DATANETS, models: MODELS, adapters: ADAPTERS, attribution: ATTRIBUTION } = DEFAULT_ADDRESSES
const T = onnx.TensorProto.DataType
const INT = onnx.AttributeProto.AttributeType.INT

/** the registered graph's weight of each dimension: 4 on [16, 32), 1 elsewhere */
const WEIGHTS = Int32Array.from({ length: DIM }, (_, j) => (j >= 16 && j < 32 ? 4 : 1))
/** the graph's score, computed here: Σ_j w_j · q_j · c_j */
const weighted = (c: Int8Array) => c.reduce((t, x, j) => t + BigInt(WEIGHTS[j] * x * QUERY[j]), 0n)
const plain = (c: Int8Array) => c.reduce((t, x, j) => t + BigInt(x * QUERY[j]), 0n)

function int32Tensor(name: string, values: Int32Array, dims: number[]): OnnxNs.ITensorProto {
  return { name, dataType: T.INT32, dims, rawData: new Uint8Array(values.buffer.slice(0)) }
}

const io = (name: string, type: number, dims: Array<number | string>): OnnxNs.IValueInfoProto => ({
  name, type: { tensorType: { elemType: type, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
})

/**
 * The weighted scorer as an ONNX graph: the signed query, weighted per dimension, times the
 * signed candidates, summed over the dimensions (int32), and the best k of those.
 */
function weightedGraph(opset = 13, extra: OnnxNs.INodeProto[] = []): Uint8Array {
  const graph: OnnxNs.IGraphProto = {
    name: 'weighted-dimensions',
    input: [io('query', T.UINT8, ['B', 'D']), io('candidates', T.UINT8, ['D', 'N']), io('k', T.INT64, [1])],
    output: [io('scores', T.INT32, ['B', 'K']), io('indices', T.INT64, ['B', 'K'])],
    initializer: [
      int32Tensor('shift', Int32Array.of(128), []),
      int32Tensor('weights', WEIGHTS, [DIM]),
      { name: 'dimAxis', dataType: T.INT64, dims: [1], rawData: new Uint8Array(8) },
    ],
    node: [
      { opType: 'Cast', input: ['query'], output: ['q32'], name: 'q32', attribute: [{ name: 'to', type: INT, i: T.INT32 }] },
      { opType: 'Sub', input: ['q32', 'shift'], output: ['q'], name: 'q' },
      { opType: 'Mul', input: ['q', 'weights'], output: ['qw'], name: 'qw' },
      { opType: 'Transpose', input: ['qw'], output: ['qwT'], name: 'qwT' },
      { opType: 'Cast', input: ['candidates'], output: ['c32'], name: 'c32', attribute: [{ name: 'to', type: INT, i: T.INT32 }] },
      { opType: 'Sub', input: ['c32', 'shift'], output: ['c'], name: 'c' },
      { opType: 'Mul', input: ['c', 'qwT'], output: ['products'], name: 'products' },
      { opType: 'ReduceSum', input: ['products', 'dimAxis'], output: ['sums'], name: 'sums', attribute: [{ name: 'keepdims', type: INT, i: 1 }] },
      { opType: 'TopK', input: ['sums', 'k'], output: ['scores', 'indices'], name: 'best' },
      ...extra,
    ],
  }
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: 'opal-test', opsetImport: [{ domain: '', version: opset }], graph })).finish()
}

const t = attributionDevnet()
const { ids, write, revertOf, read, claimable, sign } = t
const settle = async (receipt: Awaited<ReturnType<typeof sign>>) => (await t.settle([receipt]))[0]

test('a graph with a forbidden operation is refused with its name; so is one the interpreter cannot run', async () => {
  const softmax = await revertOf(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'registerScoringGraph', [toHex(weightedGraph(13, [{ opType: 'Softmax', input: ['sums'], output: ['p'], name: 'soft' }]))])
  assert.equal(softmax.name, 'GraphRejected')
  assert.match(String(softmax.args[0]), /operation Softmax is not on the integer-exact whitelist/)
  // every op whitelisted, but an opset the interpreter does not implement: no node could run it
  const future = await revertOf(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'registerScoringGraph', [toHex(weightedGraph(40))])
  assert.equal(future.name, 'GraphRejected')
  assert.match(String(future.args[0]), /opset 40 is not one this interpreter implements/)
})

test('a model citing a registered graph: the graph decides who is paid, to the wei', async () => {
  await t.stakeAndEscrow()
  await t.createDatanet('weighted')
  const version = (await write(owner, DATANETS, DATANET_ABI, 'publishVersion', [ids.datanet])).result as bigint

  const bytes = weightedGraph()
  const graphId = keccak256(bytes)
  assert.equal((await write(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'registerScoringGraph', [toHex(bytes)])).result, graphId)
  ids.model = (await write(owner, MODELS, MODEL_ABI, 'registerModel', ['llama', 'weighted-model', [{ datanetId: ids.datanet, version }], keccak256(toHex('run')), graphId])).result as bigint
  await write(owner, MODELS, MODEL_ABI, 'approvePublisher', [ids.model, carol.address, true])
  ids.adapter = (await write(carol, ADAPTERS, ADAPTER_ABI, 'registerAdapter', [ids.model, keccak256(toHex('w')), 'ipfs://w', 16, 'q_proj', PRICE])).result as bigint
  await write(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'configureModel', [ids.model, 2, 0])
  const m = (await rpc(t.devnet.url, 'opal_getModelAttribution', [toHex(ids.model)])).result as { k: string; candidates: string; scoringGraphId: string }
  assert.deepEqual([m.k, m.candidates, m.scoringGraphId], ['0x2', '0x5', graphId])

  // the graph's ranking, computed here: B, E, A — where the plain dot product ranks A, E, B
  const score = { A: weighted(SKETCHES.A), B: weighted(SKETCHES.B), E: weighted(SKETCHES.E) }
  assert.ok(score.B > score.E && score.E > score.A && weighted(SKETCHES.C) === 0n && weighted(SKETCHES.D) < 0n)
  assert.ok(plain(SKETCHES.A) > plain(SKETCHES.E) && plain(SKETCHES.E) > plain(SKETCHES.B), 'the default graph would pay A and E')

  // the view gives what settlement will
  const [viewIds, viewScores] = await read<[bigint[], bigint[]]>(ATTRIBUTION, ATTRIBUTION_ABI, 'score', [ids.model, hexOf(QUERY)])
  assert.deepEqual(viewIds, [ids.B, ids.E])
  assert.deepEqual(viewScores, [score.B, score.E])

  const parties = [alice.address, bob.address, carol.address, dave.address, owner.address, operator.address, SEQUENCER]
  const before = Object.fromEntries(await Promise.all(parties.map(async (p) => [p, await claimable(p)] as const)))
  const o = await settle(await sign())
  assert.equal(o.status, 'settled')
  const part = (bps: bigint) => (PRICE * bps) / 10_000n
  const contributorsPart = part(5000n)
  const total = score.B + score.E
  const toB = (contributorsPart * score.B) / total
  const toE = (contributorsPart * score.E) / total
  const treasury = PRICE - part(5000n) - part(2000n) - part(1000n) - part(1500n) + (contributorsPart - toB - toE)
  // contributions in id order: B before E
  assert.deepEqual(
    o.attribution.contributions.map((c) => [BigInt(c.contributionId), BigInt(c.score), BigInt(c.amount)]),
    [[ids.B, score.B, toB], [ids.E, score.E, toE]],
  )
  assert.deepEqual(o.split, { contributors: toHex(toB + toE), modelOwner: toHex(part(2000n)), adapterOwner: toHex(part(1000n)), server: toHex(part(1500n)), treasury: toHex(treasury) })
  const after = Object.fromEntries(await Promise.all(parties.map(async (p) => [p, await claimable(p)] as const)))
  const gained = (p: string) => after[p] - before[p]
  assert.equal(gained(bob.address), toB, 'B ranks first under the graph')
  assert.equal(gained(alice.address), toE, 'alice: E only (A, first by the plain dot product, is third here)')
  assert.equal(gained(dave.address), 0n)
  assert.equal(gained(owner.address), part(2000n))
  assert.equal(gained(carol.address), part(1000n))
  assert.equal(gained(operator.address), part(1500n))
  assert.equal(gained(SEQUENCER), treasury)
})

test('span evidence for a contribution outside the graph\'s top k counts by its tokens alone', async () => {
  const o = await settle(await sign({ spans: [{ contributionId: ids.A, matchedTokens: 10n }] }))
  const a = o.attribution.contributions.find((c) => BigInt(c.contributionId) === ids.A)
  assert.ok(a !== undefined)
  assert.deepEqual([BigInt(a.score), BigInt(a.weight)], [0n, 4096n * 10n])
  const weights = { A: 4096n * 10n, B: weighted(SKETCHES.B), E: weighted(SKETCHES.E) }
  const total = weights.A + weights.B + weights.E
  const half = PRICE / 2n
  assert.deepEqual(
    o.attribution.contributions.map((x) => [BigInt(x.contributionId), BigInt(x.amount)]),
    [[ids.A, (half * weights.A) / total], [ids.B, (half * weights.B) / total], [ids.E, (half * weights.E) / total]],
  )
})

test('a contract registers a graph, a model citing it, and reads the attribution, in one transaction', async () => {
  const user = graphUserContract()
  const wallet = createWalletClient({ account: owner, chain: opalChain, transport: http(t.devnet.url) })
  const hash = await wallet.deployContract({ abi: user.abi as Abi, bytecode: user.bytecode })
  const address = (await t.client.waitForTransactionReceipt({ hash })).contractAddress as `0x${string}`
  // another graph (a new id): its bytes exist only in the transaction that registers it
  const bytes = weightedGraph(14)
  const versions = [{ datanetId: ids.datanet, version: 1n }]
  await write(owner, address, user.abi as Abi, 'registerAndScore', [toHex(bytes), versions, hexOf(QUERY)])
  assert.deepEqual([await read<bigint>(address, user.abi as Abi, 'lastIds', [0n]), await read<bigint>(address, user.abi as Abi, 'lastIds', [1n])], [ids.B, ids.E])
  assert.equal(await read<bigint>(address, user.abi as Abi, 'lastScores', [0n]), weighted(SKETCHES.B))
  const modelId = await read<bigint>(address, user.abi as Abi, 'modelId')
  const m = (await rpc(t.devnet.url, 'opal_getModelAttribution', [toHex(modelId)])).result as { scoringGraphId: string }
  assert.equal(m.scoringGraphId, keccak256(bytes))
})
