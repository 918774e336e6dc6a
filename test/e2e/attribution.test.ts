// Proof of Attribution end to end, with viem and the opal/receipts client against a devnet
// process: an inference server stakes, a payer escrows, a Datanet whose sketches are built so
// the right contributions must win, receipts settled to the exact wei, every kind of bad receipt
// refused with its reason, rewards claimed, idle contributions reported and flagged, scoring
// graphs admitted or refused, and the attribution read from Solidity.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createWalletClient, decodeFunctionResult, encodeFunctionData, http, keccak256, parseEther, toHex } from 'viem'
import type { Abi } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ATTRIBUTION_ABI, DATANET_ABI, DEFAULT_ADDRESSES, INFERENCE_NODES_ABI, MODEL_ABI, ADAPTER_ABI, RECEIPTS_ABI } from '../../precompiles/index.ts'
import { defaultGraphTemplate } from '../../precompiles/attribution/onnx/graph.ts'
import { onnx } from '../../precompiles/attribution/onnx/proto.ts'
import { encodeReceiptBatch } from '../../precompiles/receipts/format.ts'
import { receiptToJson } from '../../precompiles/receipts/json.ts'
import { ReceiptClient } from '../../rpc/client/receipts.ts'
import type { SignedReceipt } from '../../rpc/client/receipts.ts'
import { DIM, PRICE, QUERY, SEQUENCER, SKETCHES, alice, attributionDevnet, bob, carol, cur1, cur2, dave, hexOf, opalChain, operator, owner, payer } from '../support/attribution.ts'
import { attributionUserContract } from '../support/contracts.ts'
import { rpc } from '../support/devnet.ts'
import { receiptOutcome } from '../support/nodes.ts'

const { datanets: DATANETS, models: MODELS, adapters: ADAPTERS, servers: SERVERS, receipts: RECEIPTS, attribution: ATTRIBUTION } = DEFAULT_ADDRESSES
const t = attributionDevnet()
const { ids, signer, write, revertOf, read, claimable, escrow, sign, settle } = t
const dot = (a: Int8Array, b: Int8Array) => a.reduce((x, v, i) => x + BigInt(v * b[i]), 0n)

test('a server stakes, a payer escrows, a Datanet and a model are set up for attribution', async () => {
  // an inference server whose receipts the chain takes: its operator stakes for the key that signs
  const min = await read<bigint>(SERVERS, INFERENCE_NODES_ABI, 'minStake')
  assert.deepEqual(await revertOf(operator, SERVERS, INFERENCE_NODES_ABI, 'register', [signer.address, 'http://gpu-1'], min - 1n), { name: 'StakeTooLow', args: [min, min - 1n] })
  await write(operator, SERVERS, INFERENCE_NODES_ABI, 'register', [signer.address, 'http://gpu-1'], min)
  const s = await read<{ operator: string; stake: bigint; status: number }>(SERVERS, INFERENCE_NODES_ABI, 'getServer', [signer.address])
  assert.equal(s.operator, operator.address)
  assert.equal(s.stake, min)
  assert.equal(s.status, 1)
  assert.deepEqual(await revertOf(operator, SERVERS, INFERENCE_NODES_ABI, 'register', [signer.address, 'x'], min), { name: 'ServerExists', args: [signer.address] })

  await write(payer, RECEIPTS, RECEIPTS_ABI, 'deposit', [], parseEther('1'))
  assert.equal(await escrow(payer.address), parseEther('1'))

  await t.createDatanet('qa')
  // a pending contribution, identical to the query: pending data never earns
  ids.pending = (await write(bob, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, keccak256(toHex('pending')), hexOf(QUERY), ''], parseEther('0.1'))).result as bigint
  const version = (await write(owner, DATANETS, DATANET_ABI, 'publishVersion', [ids.datanet])).result as bigint
  ids.model = (await write(owner, MODELS, MODEL_ABI, 'registerModel', ['llama', 'qa-model', [{ datanetId: ids.datanet, version }], keccak256(toHex('run')), toHex(new Uint8Array(32))])).result as bigint
  await write(owner, MODELS, MODEL_ABI, 'approvePublisher', [ids.model, carol.address, true])
  ids.adapter = (await write(carol, ADAPTERS, ADAPTER_ABI, 'registerAdapter', [ids.model, keccak256(toHex('w')), 'ipfs://w', 16, 'q_proj', PRICE])).result as bigint
  // two contributions paid per receipt
  await write(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'configureModel', [ids.model, 2, 0])
  const m = (await rpc(t.devnet.url, 'opal_getModelAttribution', [toHex(ids.model)])).result as { k: string; candidates: string; effectiveMode: string; dimension: string }
  assert.deepEqual({ k: m.k, candidates: m.candidates, mode: m.effectiveMode, dim: m.dimension }, { k: '0x2', candidates: '0x5', mode: 'exact', dim: '0x40' })
})

test('a receipt pays exactly the contributions that influenced the answer, to the wei', async () => {
  const parties = [alice.address, bob.address, carol.address, dave.address, owner.address, operator.address, SEQUENCER]
  const before = Object.fromEntries(await Promise.all(parties.map(async (p) => [p, await claimable(p)] as const)))
  const escrowBefore = await escrow(payer.address)
  const [o] = await settle([await sign()])
  assert.equal(o.status, 'settled')

  // the expected numbers, computed here from the rule: scores, top 2, the genesis split, floors
  const fee = PRICE
  const scores = { A: dot(SKETCHES.A, QUERY), E: dot(SKETCHES.E, QUERY), B: dot(SKETCHES.B, QUERY) }
  assert.ok(scores.A > scores.E && scores.E > scores.B && scores.B > 0n, 'the sketches order A, E, B')
  const part = (bps: bigint) => (fee * bps) / 10_000n
  const contributors = part(5000n)
  const total = scores.A + scores.E
  const toA = (contributors * scores.A) / total
  const toE = (contributors * scores.E) / total
  const dust = contributors - toA - toE
  const treasury = fee - part(5000n) - part(2000n) - part(1000n) - part(1500n) + dust
  assert.deepEqual(
    o.attribution.contributions.map((c) => [BigInt(c.contributionId), BigInt(c.score), BigInt(c.amount)]),
    [[ids.A, scores.A, toA], [ids.E, scores.E, toE]],
  )
  assert.deepEqual(o.split, { contributors: toHex(toA + toE), modelOwner: toHex(part(2000n)), adapterOwner: toHex(part(1000n)), server: toHex(part(1500n)), treasury: toHex(treasury) })

  const after = Object.fromEntries(await Promise.all(parties.map(async (p) => [p, await claimable(p)] as const)))
  const gained = (p: string) => after[p] - before[p]
  assert.equal(gained(alice.address), toA + toE, 'alice contributed A and E')
  assert.equal(gained(bob.address), 0n, 'B was third with k = 2')
  assert.equal(gained(dave.address), 0n, 'D scores below zero')
  assert.equal(gained(owner.address), part(2000n), 'model owner')
  assert.equal(gained(carol.address), part(1000n), 'adapter owner')
  assert.equal(gained(operator.address), part(1500n), 'inference server operator')
  assert.equal(gained(SEQUENCER), treasury, 'treasury, with the rounding dust')
  assert.equal(escrowBefore - (await escrow(payer.address)), fee, 'the payer paid the fee, once')
  const sum = Object.values(o.split).reduce((t, x) => t + BigInt(x), 0n)
  assert.equal(sum, fee, 'the parts add up to the fee')
})

test('contribution statistics count what a receipt paid, and go back with the chain on evm_revert', async () => {
  type Stats = { contributionId: string; earned: string; candidateReceipts: string; receiptsSinceEarned: string }
  const statsOf = async (id: bigint) => {
    const page = (await rpc(t.devnet.url, 'opal_getContributionStats', [toHex(ids.datanet)])).result as { items: Stats[] }
    return page.items.find((s) => BigInt(s.contributionId) === id) as Stats
  }
  const before = { A: await statsOf(ids.A), B: await statsOf(ids.B) }
  const snapshot = (await rpc(t.devnet.url, 'evm_snapshot', [])).result
  const [o] = await settle([await sign()])
  const toA = BigInt(o.attribution.contributions.find((c) => BigInt(c.contributionId) === ids.A)?.amount ?? 0)
  assert.ok(toA > 0n)
  const after = { A: await statsOf(ids.A), B: await statsOf(ids.B) }
  assert.equal(BigInt(after.A.earned) - BigInt(before.A.earned), toA)
  assert.equal(after.A.receiptsSinceEarned, '0x0', 'A earned in the last receipt')
  assert.equal(BigInt(after.B.candidateReceipts), BigInt(before.B.candidateReceipts) + 1n, 'B was a candidate')
  assert.equal(BigInt(after.B.receiptsSinceEarned), BigInt(before.B.receiptsSinceEarned) + 1n, 'B did not earn')
  // they are kept for the head only: an older block is refused, saying so
  const old = await rpc(t.devnet.url, 'opal_getContributionStats', [toHex(ids.datanet), {}, '0x1'])
  assert.match(old.error?.message ?? '', /head block only/)
  assert.equal((await rpc(t.devnet.url, 'evm_revert', [snapshot])).result, true)
  assert.deepEqual({ A: await statsOf(ids.A), B: await statsOf(ids.B) }, before)
})

test('span evidence pays a contribution outside the top k by its matched tokens', async () => {
  const [o] = await settle([await sign({ spans: [{ contributionId: ids.C, matchedTokens: 10n }, { contributionId: ids.pending, matchedTokens: 50n }] })])
  const byId = new Map(o.attribution.contributions.map((c) => [BigInt(c.contributionId), c]))
  const c = byId.get(ids.C)
  assert.ok(c !== undefined, 'C is paid for its span')
  assert.equal(BigInt(c.score), 0n)
  assert.equal(BigInt(c.matchedTokens), 10n)
  assert.equal(BigInt(c.weight), 4096n * 10n, 'the genesis span weight is 4096 per token')
  assert.ok(!byId.has(ids.pending), 'a pending contribution is never a candidate, whatever the evidence')
  // the contributors' half of the fee, by weight: A and E by score, C by its tokens
  const weights = { A: dot(SKETCHES.A, QUERY), E: dot(SKETCHES.E, QUERY), C: 4096n * 10n }
  const total = weights.A + weights.E + weights.C
  const half = PRICE / 2n
  assert.deepEqual(
    o.attribution.contributions.map((x) => [BigInt(x.contributionId), BigInt(x.amount)]),
    [[ids.A, (half * weights.A) / total], [ids.C, (half * weights.C) / total], [ids.E, (half * weights.E) / total]],
  )
})

test('bad receipts are refused with their reason and change nothing', async () => {
  const escrowBefore = await escrow(payer.address)
  const settled = await sign()
  await settle([settled])
  const stranger = new ReceiptClient({ url: t.devnet.url, account: generatePrivateKey() })
  const now = BigInt(Math.floor(Date.now() / 1000))
  const forged = { ...(await sign()), fee: PRICE * 2n } // altered after signing: recovers another signer
  const cases: Array<[string, SignedReceipt | Promise<SignedReceipt>, string]> = [
    ['replayed', { ...settled }, 'request already settled'],
    ['signed by a key no server stakes for', sign({}, stranger), 'signer is not a registered inference server'],
    ['altered after signing', forged, 'signer is not a registered inference server'],
    ['expired', sign({ issuedAt: now - 1000n, expiry: now - 10n }), 'expired'],
    ['longer than the escrow', sign({ inputTokens: 1_000_000_000n, outputTokens: 0n, fee: PRICE * 1_000_000n }), 'payer escrow does not cover the fee'],
    ['unknown adapter', sign({ adapterId: 999n }), 'unknown adapter'],
    ['wrong fee', sign({ fee: PRICE - 1n }), 'fee does not match adapter price x tokens'],
    ['wrong sketch size', sign({ sketch: new Int8Array(DIM + 1) }), 'sketch size does not match the model dimension'],
    ['another model', sign({ modelId: 1n }), 'adapter is not of the receipt model'],
  ]
  const receipts = await Promise.all(cases.map((c) => c[1]))
  const answers = await t.server.submit(receipts)
  cases.forEach(([name, , reason], i) => assert.deepEqual(answers[i], { status: 'rejected', reason }, name))
  const [dup] = await t.server.submit([settled])
  assert.deepEqual(dup, { status: 'rejected', reason: 'request already settled' })
  assert.equal(escrowBefore - (await escrow(payer.address)), PRICE, 'only the one good receipt was charged')
  // malformed JSON receipts are refused one by one, with the field named
  const raw = await rpc(t.devnet.url, 'opal_submitReceipts', [[{ adapterId: 'x' }]])
  assert.match((raw.result as Array<{ reason: string }>)[0].reason, /^malformed receipt: /)
  const none = await rpc(t.devnet.url, 'opal_submitReceipts', [[]])
  assert.equal(none.error?.code, -32602)
})

test('in one batch, a request already settled by it or an escrow it already spent is refused, and never scored', async () => {
  const available = await escrow(payer.address)
  const first = await sign()
  // its tokens take all the escrow has (fee = PRICE × tokens / 1000): alone it passes, after `first` it cannot
  const tokens = (available * 1000n) / PRICE
  const greedy = await sign({ inputTokens: 700n, outputTokens: tokens - 700n, fee: (PRICE * tokens) / 1000n })
  const batch = encodeReceiptBatch([first, { ...first }, greedy])
  const scored = async () => Number(/^opal_attribution_queries_scored_total (\d+)$/m.exec(await (await fetch(`${t.devnet.url}/metrics`)).text())?.[1])
  const settle = async (data: `0x${string}`) => {
    const r = await rpc(t.devnet.url, 'eth_call', [{ from: SEQUENCER, to: RECEIPTS, data: encodeFunctionData({ abi: RECEIPTS_ABI, functionName: 'settle', args: [data] }) }, 'latest'])
    return decodeFunctionResult({ abi: RECEIPTS_ABI, functionName: 'settle', data: r.result as `0x${string}` })
  }
  const before = await scored()
  assert.deepEqual(await settle(toHex(encodeReceiptBatch([greedy]))), [1n, 0n], 'alone, the greedy receipt settles')
  assert.equal((await scored()) - before, 1)
  assert.deepEqual(await settle(toHex(batch)), [1n, 2n], 'after the first: the replay and the greedy one are refused')
  assert.equal((await scored()) - before, 2, 'only the receipt that settled was scored')
  assert.equal(await escrow(payer.address), available, 'a call changes nothing')
})

test('receipts are taken over WebSocket too', async () => {
  const receipt = receiptToJson(await sign())
  const ws = new WebSocket(t.devnet.wsUrl)
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = reject
  })
  const answer = new Promise<{ result: Array<{ status: string; hash: string }> }>((resolve) => {
    ws.onmessage = (m) => resolve(JSON.parse(String(m.data)))
  })
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'opal_submitReceipts', params: [[receipt]] }))
  const [a] = (await answer).result
  ws.close()
  assert.equal(a.status, 'accepted')
  assert.equal((await receiptOutcome(t.devnet.url, a.hash)).status, 'settled')
})

test('claim pays the claimable OPEN, once', async () => {
  const owed = await claimable(alice.address)
  assert.ok(owed > 0n)
  const balance = await t.client.getBalance({ address: alice.address })
  const { receipt } = await write(alice, RECEIPTS, RECEIPTS_ABI, 'claim', [])
  const gas = receipt.gasUsed * receipt.effectiveGasPrice
  assert.equal(await t.client.getBalance({ address: alice.address }), balance + owed - gas)
  assert.equal(await claimable(alice.address), 0n)
  assert.deepEqual(await revertOf(alice, RECEIPTS, RECEIPTS_ABI, 'claim', []), { name: 'NothingToClaim', args: [alice.address] })
})

test('a contribution that never earns while its peers do is reported, flagged, and no longer a candidate', async () => {
  await settle([await sign(), await sign(), await sign()])
  const stats = (await rpc(t.devnet.url, 'opal_getContributionStats', [toHex(ids.datanet), { idleAfter: '0x3', onlyIdle: true }])).result as { items: Array<{ contributionId: string; idle: boolean; receiptsSinceEarned: string; earned: string }> }
  const idle = stats.items.map((i) => BigInt(i.contributionId))
  assert.ok(idle.includes(ids.B) && idle.includes(ids.D), `B and D are idle: ${idle}`)
  assert.ok(!idle.includes(ids.A) && !idle.includes(ids.E), 'A and E earn')
  const d = stats.items.find((i) => BigInt(i.contributionId) === ids.D)
  assert.equal(d?.earned, '0x0')
  assert.ok(BigInt(d?.receiptsSinceEarned ?? 0) >= 6n)
  // the curators flag D late, by quorum: slashed, and out of the candidates
  for (const c of [cur1, cur2]) await write(c, DATANETS, DATANET_ABI, 'review', [ids.D, 3, keccak256(toHex('spam'))])
  const contribution = await read<{ status: number; stake: bigint }>(DATANETS, DATANET_ABI, 'getContribution', [ids.D])
  assert.equal(contribution.status, 3)
  assert.equal(contribution.stake, 0n)
  const m = (await rpc(t.devnet.url, 'opal_getModelAttribution', [toHex(ids.model)])).result as { candidates: string }
  assert.equal(m.candidates, '0x4')
  // an answer that only D would explain pays no contribution at all: the contributors' part goes to the treasury
  const [o] = await settle([await sign({ sketch: SKETCHES.D })])
  assert.equal(o.attribution.contributions.length, 0)
  assert.equal(o.split.contributors, '0x0')
})

test('a contribution accepted after the cited version and flagged later does not change the candidates', async () => {
  const candidates = async () => ((await rpc(t.devnet.url, 'opal_getModelAttribution', [toHex(ids.model)])).result as { candidates: string }).candidates
  const before = await candidates()
  const late = (await write(bob, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, keccak256(toHex('late')), hexOf(SKETCHES.B), ''], parseEther('0.1'))).result as bigint
  for (const c of [cur1, cur2]) await write(c, DATANETS, DATANET_ABI, 'review', [late, 1, keccak256(toHex('ok'))])
  for (const c of [cur1, cur2]) await write(c, DATANETS, DATANET_ABI, 'review', [late, 3, keccak256(toHex('spam'))])
  assert.equal((await read<{ status: number }>(DATANETS, DATANET_ABI, 'getContribution', [late])).status, 3)
  assert.equal(await candidates(), before, 'the model cites a version from before it was accepted')
})

test('the attribution is readable from Solidity, exactly as settlement computed it', async () => {
  const user = attributionUserContract()
  const wallet = createWalletClient({ account: owner, chain: opalChain, transport: http(t.devnet.url) })
  const hash = await wallet.deployContract({ abi: user.abi as Abi, bytecode: user.bytecode })
  const address = (await t.client.waitForTransactionReceipt({ hash })).contractAddress as `0x${string}`
  const [topIds, topScores] = await read<[bigint[], bigint[]]>(address, user.abi as Abi, 'top', [ids.model, hexOf(QUERY)])
  const [o] = await settle([await sign()])
  assert.deepEqual(topIds, o.attribution.contributions.map((c) => BigInt(c.contributionId)))
  assert.deepEqual(topScores, o.attribution.contributions.map((c) => BigInt(c.score)))
  await write(owner, address, user.abi as Abi, 'record', [ids.model, hexOf(QUERY)])
  assert.equal(await read<bigint>(address, user.abi as Abi, 'lastIds', [0n]), ids.A)
  assert.equal(await read<bigint>(address, user.abi as Abi, 'escrowed', [payer.address]), await escrow(payer.address))
  // a contract cannot settle, even forwarding the sequencer's calldata
  const { result } = await write(owner, address, user.abi as Abi, 'trySettle', ['0xc0'])
  assert.equal((result as [boolean, string])[0], false)
  assert.deepEqual(await revertOf(owner, RECEIPTS, RECEIPTS_ABI, 'settle', ['0xc0']), { name: 'NotSequencer', args: [owner.address] })
  assert.deepEqual(await revertOf(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'score', [ids.model, '0x01']), { name: 'WrongSketchSize', args: [BigInt(DIM), 1n] })
})

test('scoring graphs: the default is registered at genesis, float or unknown operations are refused by name', async () => {
  const template = defaultGraphTemplate()
  const defaultId = keccak256(template)
  assert.equal(await read<string>(ATTRIBUTION, ATTRIBUTION_ABI, 'defaultScoringGraph'), defaultId)
  assert.equal((await read<{ registered: boolean }>(ATTRIBUTION, ATTRIBUTION_ABI, 'scoringGraph', [defaultId])).registered, true)
  assert.deepEqual(await revertOf(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'registerScoringGraph', [toHex(template)]), { name: 'GraphExists', args: [defaultId] })
  const soft = onnx.ModelProto.decode(template)
  soft.graph?.node?.push(onnx.NodeProto.create({ opType: 'Softmax', input: ['dots'], output: ['p'], name: 'soft' }))
  const refused = await revertOf(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'registerScoringGraph', [toHex(onnx.ModelProto.encode(soft).finish())])
  assert.equal(refused.name, 'GraphRejected')
  assert.match(String(refused.args[0]), /Softmax/)
  // an integer-exact variant is admitted and its bytes kept by the node
  const variant = onnx.ModelProto.decode(template)
  if (variant.graph) variant.graph.name = 'opal-attribution-variant'
  const bytes = onnx.ModelProto.encode(variant).finish()
  const { result } = await write(owner, ATTRIBUTION, ATTRIBUTION_ABI, 'registerScoringGraph', [toHex(bytes)])
  assert.equal(result, keccak256(bytes))
  const g = await read<{ registered: boolean; size: bigint; registrant: string }>(ATTRIBUTION, ATTRIBUTION_ABI, 'scoringGraph', [keccak256(bytes)])
  assert.deepEqual([g.registered, g.size, g.registrant], [true, BigInt(bytes.length), owner.address])
})

test('escrow withdrawals wait out the delay, and what is announced cannot back new receipts', async () => {
  const balance = await escrow(payer.address)
  await write(payer, RECEIPTS, RECEIPTS_ABI, 'requestWithdrawal', [balance - PRICE])
  // one receipt's worth is left for new receipts
  const answers = await t.server.submit([await sign(), await sign()])
  assert.equal(answers[0].status, 'accepted')
  assert.deepEqual(answers[1], { status: 'rejected', reason: 'payer escrow does not cover the fee' })
  const locked = await revertOf(payer, RECEIPTS, RECEIPTS_ABI, 'withdraw', [])
  assert.equal(locked.name, 'WithdrawalLocked')
  const head = await t.client.getBlock()
  await rpc(t.devnet.url, 'evm_setNextBlockTimestamp', [toHex(head.timestamp + 61n)])
  await rpc(t.devnet.url, 'evm_mine', [])
  const before = await t.client.getBalance({ address: payer.address })
  const { receipt } = await write(payer, RECEIPTS, RECEIPTS_ABI, 'withdraw', [])
  assert.equal(await t.client.getBalance({ address: payer.address }), before + (balance - PRICE) - receipt.gasUsed * receipt.effectiveGasPrice)
  assert.equal(await escrow(payer.address), 0n, 'the accepted receipt was charged, the rest withdrawn')
})

test('a server that unbonds takes no new receipts; the slasher slashes it to the treasury', async () => {
  await write(payer, RECEIPTS, RECEIPTS_ABI, 'deposit', [], parseEther('0.01'))
  await write(operator, SERVERS, INFERENCE_NODES_ABI, 'requestUnstake', [signer.address])
  const [a] = await t.server.submit([await sign()])
  assert.deepEqual(a, { status: 'rejected', reason: 'inference server is not active or holds less than the minimum stake' })
  const slasher = privateKeyToAccount('0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897')
  assert.equal(slasher.address.toLowerCase(), SEQUENCER)
  assert.deepEqual(await revertOf(operator, SERVERS, INFERENCE_NODES_ABI, 'slash', [signer.address, 1n, keccak256(toHex('x'))]), { name: 'NotSlasher', args: [operator.address] })
  const treasuryBefore = await t.client.getBalance({ address: SEQUENCER })
  const stake = (await read<{ stake: bigint }>(SERVERS, INFERENCE_NODES_ABI, 'getServer', [signer.address])).stake
  const { receipt } = await write(slasher, SERVERS, INFERENCE_NODES_ABI, 'slash', [signer.address, stake / 2n, keccak256(toHex('double billing'))])
  assert.equal((await read<{ stake: bigint; slashed: bigint }>(SERVERS, INFERENCE_NODES_ABI, 'getServer', [signer.address])).slashed, stake / 2n)
  // the slasher is also the fee recipient here: it pays the base fee and gets its own tip back
  const { baseFeePerGas } = await t.client.getBlock({ blockNumber: receipt.blockNumber })
  assert.equal(await t.client.getBalance({ address: SEQUENCER }), treasuryBefore + stake / 2n - receipt.gasUsed * (baseFeePerGas ?? 0n))
  assert.equal((await read<{ stake: bigint }>(SERVERS, INFERENCE_NODES_ABI, 'getServer', [signer.address])).stake, stake - stake / 2n)
})
