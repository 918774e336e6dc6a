// The Datanet, model and adapter registries end to end, with viem against a devnet process:
// a Datanet's whole life, a model citing a version, adapters, Solidity callers, errors, events,
// and persistence across a restart.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, createWalletClient, decodeErrorResult, defineChain, http, keccak256, parseEther, toHex } from 'viem'
import type { Abi, PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ADAPTER_ABI, DATANET_ABI, MODEL_ABI } from '../../precompiles/index.ts'
import { leafOf, rootOfLeaves } from '../../precompiles/datanets/merkle.ts'
import { registryUserContract } from '../support/contracts.ts'
import { rpc, startDevnet } from '../support/devnet.ts'
import { contractCalls } from '../support/viem.ts'
import type { DevnetProcess } from '../support/devnet.ts'
import { devAccounts } from '../../genesis/index.ts'

// dev accounts 0… of the standard test mnemonic, funded on every devnet
const [owner, cur1, cur2, cur3, alice, mallory] = devAccounts(6).map((a) => privateKeyToAccount(a.privateKey))
const DATANETS = '0x4f50414c00000000000000000000000000000001'
const MODELS = '0x4f50414c00000000000000000000000000000002'
const ADAPTERS = '0x4f50414c00000000000000000000000000000003'
const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
let devnet: DevnetProcess
let client: PublicClient
const ids: Record<string, bigint> = {}

const sketch = (seed: number, dim = 64): `0x${string}` => toHex(Uint8Array.from({ length: dim }, (_, i) => (seed * 31 + i * 7) & 255))
const content = (s: string) => keccak256(toHex(s))

before(async () => {
  devnet = await startDevnet({ blockTime: 0 })
  client = createPublicClient({ chain, transport: http(devnet.url), pollingInterval: 50 })
})

after(async () => {
  await devnet.stop()
})

const { write, revertOf } = contractCalls(() => client, chain, () => devnet.url)

test('a Datanet is created with its rules, and bad rules are refused', async () => {
  const rules = { minStake: parseEther('1'), sketchKind: 1, sketchDim: 64, licenseURI: 'https://license', curators: [cur1.address, cur2.address, cur3.address], quorum: 2 }
  const { result, receipt } = await write(owner, DATANETS, DATANET_ABI, 'createDatanet', ['medical-qa', 'ipfs://schema', content('schema'), rules])
  ids.datanet = result as bigint
  assert.equal(ids.datanet, 2n, 'the devnet example is Datanet 1')
  assert.equal(receipt.logs.length, 1)
  const bad = await revertOf(owner, DATANETS, DATANET_ABI, 'createDatanet', ['x', '', content('s'), { ...rules, quorum: 4 }])
  assert.deepEqual(bad, { name: 'InvalidRules', args: ['quorum must be between 1 and the number of curators'] })
  const d = (await client.readContract({ address: DATANETS, abi: DATANET_ABI, functionName: 'getDatanet', args: [ids.datanet] })) as { name: string; curators: string[]; quorum: number }
  assert.equal(d.name, 'medical-qa')
  assert.equal(d.curators.length, 3)
  assert.equal(d.quorum, 2)
})

test('contributions: staked, deduplicated, sized; refusals decode as custom errors', async () => {
  const stake = parseEther('1')
  const c1 = await write(alice, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, content('a'), sketch(1), 'ipfs://a'], stake)
  ids.c1 = c1.result as bigint
  ids.c2 = (await write(alice, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, content('b'), sketch(2), 'ipfs://b'], stake)).result as bigint
  ids.c3 = (await write(alice, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, content('c'), sketch(3), 'ipfs://c'], stake)).result as bigint
  assert.deepEqual(await revertOf(alice, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, content('a'), sketch(4), 'x'], stake), { name: 'DuplicateContent', args: [ids.datanet, content('a'), ids.c1] })
  assert.deepEqual(await revertOf(alice, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, content('d'), sketch(4, 63), 'x'], stake), { name: 'WrongSketchSize', args: [64, 63n] })
  assert.deepEqual(await revertOf(alice, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, content('d'), sketch(4), 'x'], stake - 1n), { name: 'StakeTooLow', args: [stake, stake - 1n] })
  assert.deepEqual(await revertOf(alice, DATANETS, DATANET_ABI, 'contribute', [99n, content('d'), sketch(4), 'x'], stake), { name: 'DatanetNotFound', args: [99n] })
  const c = (await client.readContract({ address: DATANETS, abi: DATANET_ABI, functionName: 'getContribution', args: [ids.c1] })) as { status: number; stake: bigint; contributor: string }
  assert.equal(c.status, 0)
  assert.equal(c.stake, stake)
  assert.equal(c.contributor, alice.address)
  assert.equal(await client.getBalance({ address: DATANETS }), 3n * stake)
})

test('curators decide by quorum; rejected loses half its stake, flagged all of it; strangers cannot review', async () => {
  assert.deepEqual(await revertOf(mallory, DATANETS, DATANET_ABI, 'review', [ids.c1, 1, content('x')]), { name: 'NotCurator', args: [mallory.address] })
  await write(cur1, DATANETS, DATANET_ABI, 'review', [ids.c1, 1, content('good')])
  assert.deepEqual(await revertOf(cur1, DATANETS, DATANET_ABI, 'review', [ids.c1, 1, content('again')]), { name: 'AlreadyReviewed', args: [ids.c1, cur1.address] })
  const decided = await write(cur2, DATANETS, DATANET_ABI, 'review', [ids.c1, 1, content('good')])
  assert.equal(decided.receipt.logs.length, 2, 'reviewed and decided')
  await write(cur1, DATANETS, DATANET_ABI, 'review', [ids.c2, 2, content('off-topic')])
  await write(cur3, DATANETS, DATANET_ABI, 'review', [ids.c2, 2, content('off-topic')])
  await write(cur2, DATANETS, DATANET_ABI, 'review', [ids.c3, 3, content('spam')])
  await write(cur3, DATANETS, DATANET_ABI, 'review', [ids.c3, 3, content('spam')])
  const status = async (id: bigint) => (await client.readContract({ address: DATANETS, abi: DATANET_ABI, functionName: 'getContribution', args: [id] })) as { status: number; stake: bigint }
  assert.equal((await status(ids.c1)).status, 1)
  assert.deepEqual([(await status(ids.c2)).status, (await status(ids.c2)).stake], [2, parseEther('0.5')])
  assert.deepEqual([(await status(ids.c3)).status, (await status(ids.c3)).stake], [3, 0n])
  const d = (await client.readContract({ address: DATANETS, abi: DATANET_ABI, functionName: 'getDatanet', args: [ids.datanet] })) as { treasury: bigint; accepted: bigint }
  assert.equal(d.treasury, parseEther('1.5'))
  assert.equal(d.accepted, 1n)
  assert.deepEqual(await revertOf(cur1, DATANETS, DATANET_ABI, 'review', [ids.c2, 1, content('x')]), { name: 'AlreadyDecided', args: [ids.c2, 2] })
})

test('a version pins the accepted contributions: its root is the Merkle root of their leaves', async () => {
  const { result } = await write(cur1, DATANETS, DATANET_ABI, 'publishVersion', [ids.datanet])
  assert.equal(result, 1n)
  const v = (await client.readContract({ address: DATANETS, abi: DATANET_ABI, functionName: 'getVersion', args: [ids.datanet, 1n] })) as { root: `0x${string}`; count: bigint }
  assert.equal(v.count, 1n)
  const expected = rootOfLeaves([leafOf(ids.c1, Uint8Array.from(Buffer.from(content('a').slice(2), 'hex')))])
  assert.equal(v.root, toHex(expected))
  assert.deepEqual(await revertOf(cur1, DATANETS, DATANET_ABI, 'publishVersion', [ids.datanet]), { name: 'NothingToPublish', args: [ids.datanet] })
  assert.deepEqual(await revertOf(mallory, DATANETS, DATANET_ABI, 'publishVersion', [ids.datanet]), { name: 'NotCurator', args: [mallory.address] })
})

test('stakes: the rejected half comes back at once, the accepted stake after the delay', async () => {
  const before = await client.getBalance({ address: alice.address })
  const back = await write(alice, DATANETS, DATANET_ABI, 'withdrawStake', [ids.c2])
  const gas2 = back.receipt.gasUsed * back.receipt.effectiveGasPrice
  assert.equal(await client.getBalance({ address: alice.address }), before + parseEther('0.5') - gas2)
  const early = await revertOf(alice, DATANETS, DATANET_ABI, 'withdrawStake', [ids.c1])
  assert.equal(early.name, 'NotWithdrawable')
  assert.ok((early.args[1] as bigint) > 0n)
  assert.deepEqual(await revertOf(alice, DATANETS, DATANET_ABI, 'withdrawStake', [ids.c3]), { name: 'NotWithdrawable', args: [ids.c3, 0n] })
  const latest = await client.getBlock()
  await rpc(devnet.url, 'evm_setNextBlockTimestamp', [toHex(latest.timestamp + 120n)])
  await rpc(devnet.url, 'evm_mine')
  const mid = await client.getBalance({ address: alice.address })
  const w = await write(alice, DATANETS, DATANET_ABI, 'withdrawStake', [ids.c1])
  assert.equal(await client.getBalance({ address: alice.address }), mid + parseEther('1') - w.receipt.gasUsed * w.receipt.effectiveGasPrice)
  assert.deepEqual(await revertOf(alice, DATANETS, DATANET_ABI, 'withdrawStake', [ids.c1]), { name: 'NotWithdrawable', args: [ids.c1, 0n] })
  assert.deepEqual(await revertOf(mallory, DATANETS, DATANET_ABI, 'withdrawTreasury', [ids.datanet, mallory.address, 1n]), { name: 'NotOwner', args: [mallory.address] })
  await write(owner, DATANETS, DATANET_ABI, 'withdrawTreasury', [ids.datanet, cur1.address, parseEther('1.5')])
  assert.equal(await client.getBalance({ address: DATANETS }), 0n)
})

test('an accepted contribution flagged later by a quorum loses the stake it still has', async () => {
  const stake = parseEther('2')
  const { result } = await write(alice, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, content('late'), sketch(5), 'ipfs://late'], stake)
  const cid = result as bigint
  await write(cur1, DATANETS, DATANET_ABI, 'review', [cid, 1, content('ok')])
  await write(cur2, DATANETS, DATANET_ABI, 'review', [cid, 1, content('ok')])
  assert.deepEqual(await revertOf(cur3, DATANETS, DATANET_ABI, 'review', [cid, 1, content('ok')]), { name: 'AlreadyDecided', args: [cid, 1] })
  // the curators who accepted it may flag it too: late flags are counted on their own
  await write(cur1, DATANETS, DATANET_ABI, 'review', [cid, 3, content('spam after all')])
  const decided = await write(cur3, DATANETS, DATANET_ABI, 'review', [cid, 3, content('spam after all')])
  assert.equal(decided.receipt.logs.length, 2)
  const c = (await client.readContract({ address: DATANETS, abi: DATANET_ABI, functionName: 'getContribution', args: [cid] })) as { status: number; stake: bigint }
  assert.deepEqual([c.status, c.stake], [3, 0n])
  const d = (await client.readContract({ address: DATANETS, abi: DATANET_ABI, functionName: 'getDatanet', args: [ids.datanet] })) as { treasury: bigint }
  assert.equal(d.treasury, stake)
  assert.deepEqual(await revertOf(alice, DATANETS, DATANET_ABI, 'withdrawStake', [cid]), { name: 'NotWithdrawable', args: [cid, 0n] })
})

test('a model cites a Datanet version; evals credit their change to the versions cited', async () => {
  assert.deepEqual(await revertOf(owner, MODELS, MODEL_ABI, 'registerModel', ['llama', 'bad', [{ datanetId: ids.datanet, version: 9n }], content('run'), content('g')]), { name: 'UnknownDatanetVersion', args: [ids.datanet, 9n] })
  const { result } = await write(owner, MODELS, MODEL_ABI, 'registerModel', ['llama-3-8b', 'medical-qa-8b', [{ datanetId: ids.datanet, version: 1n }], content('run-1'), `0x${'00'.repeat(32)}`])
  ids.model = result as bigint
  await write(owner, MODELS, MODEL_ABI, 'recordEval', [ids.model, content('medqa'), content('accuracy'), 610n])
  await write(owner, MODELS, MODEL_ABI, 'recordEval', [ids.model, content('medqa'), content('accuracy'), 655n])
  const e = (await client.readContract({ address: MODELS, abi: MODEL_ABI, functionName: 'getEval', args: [ids.model, content('medqa')] })) as { value: bigint; delta: bigint }
  assert.deepEqual([e.value, e.delta], [655n, 45n])
  assert.equal(await client.readContract({ address: MODELS, abi: MODEL_ABI, functionName: 'versionEvalDelta', args: [ids.datanet, 1n, content('medqa')] }), 655n)
  assert.deepEqual(await revertOf(mallory, MODELS, MODEL_ABI, 'recordEval', [ids.model, content('x'), content('x'), 1n]), { name: 'NotModelOwner', args: [mallory.address] })
})

test('adapters: registered by the owner or an approved publisher, priced, deactivated, transferred', async () => {
  const reg = (who: typeof owner, price: bigint) => write(who, ADAPTERS, ADAPTER_ABI, 'registerAdapter', [ids.model, content(`w${price}`), 'ipfs://w', 16, 'q_proj,v_proj', price])
  ids.a1 = (await reg(owner, 2000n)).result as bigint
  assert.deepEqual(await revertOf(mallory, ADAPTERS, ADAPTER_ABI, 'registerAdapter', [ids.model, content('m'), 'x', 8, 'q', 1n]), { name: 'NotModelPublisher', args: [ids.model, mallory.address] })
  await write(owner, MODELS, MODEL_ABI, 'approvePublisher', [ids.model, mallory.address, true])
  ids.a2 = (await reg(mallory, 3000n)).result as bigint
  await write(owner, ADAPTERS, ADAPTER_ABI, 'setPrice', [ids.a1, 2500n])
  assert.deepEqual(await revertOf(mallory, ADAPTERS, ADAPTER_ABI, 'setPrice', [ids.a1, 1n]), { name: 'NotAdapterOwner', args: [mallory.address] })
  await write(mallory, ADAPTERS, ADAPTER_ABI, 'deactivate', [ids.a2])
  await write(owner, ADAPTERS, ADAPTER_ABI, 'transfer', [ids.a1, alice.address])
  const list = (await client.readContract({ address: ADAPTERS, abi: ADAPTER_ABI, functionName: 'getAdapters', args: [[ids.a1, ids.a2]] })) as Array<{ owner: string; pricePerKTokens: bigint; active: boolean }>
  assert.deepEqual(list.map((a) => [a.owner, a.pricePerKTokens, a.active]), [[alice.address, 2500n, true], [mallory.address, 3000n, false]])
  assert.deepEqual(await revertOf(owner, ADAPTERS, ADAPTER_ABI, 'getAdapter', [999n]), { name: 'AdapterNotFound', args: [999n] })
})

test('from Solidity: batch lookups, a contract contributing, STATICCALL writes and DELEGATECALL refused', async () => {
  const user = registryUserContract() as { abi: Abi; bytecode: `0x${string}` }
  const wallet = createWalletClient({ account: owner, chain, transport: http(devnet.url) })
  const address = (await client.waitForTransactionReceipt({ hash: await wallet.deployContract({ account: owner, chain, abi: user.abi, bytecode: user.bytecode }) })).contractAddress as `0x${string}`
  assert.deepEqual(await client.readContract({ address, abi: user.abi, functionName: 'adapterPrices', args: [[1n, ids.a1, ids.a2]] }), [10n ** 15n + 2500n + 3000n, 2n])
  assert.equal(await client.readContract({ address, abi: user.abi, functionName: 'datanetName', args: [ids.datanet] }), 'medical-qa')
  assert.deepEqual(await client.readContract({ address, abi: user.abi, functionName: 'modelCites', args: [ids.model] }), [ids.datanet, 1n])
  const [ok, data] = (await client.readContract({ address, abi: user.abi, functionName: 'staticWrite' })) as [boolean, `0x${string}`]
  assert.equal(ok, false)
  assert.equal(decodeErrorResult({ abi: DATANET_ABI, data }).errorName, 'WriteInStaticCall')
  const { result: delegated } = await write(owner, address, user.abi, 'delegated', [])
  assert.equal((delegated as [boolean])[0], false)
  const { result: cid } = await write(owner, address, user.abi, 'contribute', [ids.datanet, content('from-contract'), sketch(9)], parseEther('1'))
  const c = (await client.readContract({ address: DATANETS, abi: DATANET_ABI, functionName: 'getContribution', args: [cid] })) as { contributor: string; stake: bigint }
  assert.equal(c.contributor.toLowerCase(), address.toLowerCase())
  assert.equal(c.stake, parseEther('1'))
})

test('gas grows with the work: 50 lookups cost about 50 times one', async () => {
  const one = await client.estimateContractGas({ account: owner, address: ADAPTERS, abi: ADAPTER_ABI, functionName: 'getAdapters', args: [[1n]] })
  const fifty = await client.estimateContractGas({ account: owner, address: ADAPTERS, abi: ADAPTER_ABI, functionName: 'getAdapters', args: [Array.from({ length: 50 }, () => 1n)] })
  const base = 21_000n
  const ratio = Number(fifty - base) / Number(one - base)
  assert.ok(ratio > 35 && ratio < 55, `ratio ${ratio}`)
})

test('over JSON-RPC: named fields, pagination; events in eth_getLogs', async () => {
  const adapters = (await rpc(devnet.url, 'opal_getAdapters', [[toHex(ids.a1), toHex(ids.a2), '0x3e7']])).result as Array<Record<string, unknown> | null>
  assert.equal(adapters[0]?.owner, alice.address.toLowerCase())
  assert.equal(adapters[0]?.pricePerKTokens, toHex(2500n))
  assert.equal(adapters[1]?.active, false)
  assert.equal(adapters[2], null)
  const page1 = (await rpc(devnet.url, 'opal_listContributions', [toHex(ids.datanet), { limit: '0x2' }])).result as { items: Array<{ id: string }>; nextCursor: string | null }
  assert.equal(page1.items.length, 2)
  assert.equal(page1.nextCursor, '0x2')
  const page2 = (await rpc(devnet.url, 'opal_listContributions', [toHex(ids.datanet), { cursor: page1.nextCursor, limit: '0x2' }])).result as { items: Array<{ id: string }>; nextCursor: string | null }
  assert.equal(page2.items.length, 2)
  assert.equal(page2.nextCursor, '0x4')
  // alice (dev account 4) also made two of the devnet example's contributions
  const mine = (await rpc(devnet.url, 'opal_getContributionsOf', [alice.address])).result as { items: Array<{ datanetId: string }> }
  assert.deepEqual(mine.items.map((c) => c.datanetId), ['0x1', '0x1', toHex(ids.datanet), toHex(ids.datanet), toHex(ids.datanet), toHex(ids.datanet)])
  const logs = await client.getContractEvents({ address: DATANETS, abi: DATANET_ABI, eventName: 'ContributionDecided', fromBlock: 0n })
  assert.deepEqual(logs.map((l) => (l as unknown as { args: { status: number } }).args.status), [1, 2, 3, 1, 3])
  const byTopic = await client.getContractEvents({ address: ADAPTERS, abi: ADAPTER_ABI, eventName: 'AdapterRegistered', args: { modelId: ids.model }, fromBlock: 0n })
  assert.equal(byTopic.length, 2)
})

test('the registries survive a restart', async () => {
  const before = (await rpc(devnet.url, 'opal_getDatanet', [toHex(ids.datanet)])).result
  assert.equal(await devnet.stop(), 0)
  devnet = await startDevnet({ dataDir: devnet.dataDir, blockTime: 0 })
  client = createPublicClient({ chain, transport: http(devnet.url), pollingInterval: 50 })
  assert.deepEqual((await rpc(devnet.url, 'opal_getDatanet', [toHex(ids.datanet)])).result, before)
  assert.equal(await client.readContract({ address: ADAPTERS, abi: ADAPTER_ABI, functionName: 'adapterCount' }), 3n)
})
