// Transaction types and the pool's answers over JSON-RPC, against a real `opal devnet` process.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, createWalletClient, decodeEventLog, defineChain, http, parseGwei, toHex } from 'viem'
import type { PublicClient, WalletClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS, delegateContract } from '../support/contracts.ts'
import { rpc, startDevnet } from '../support/devnet.ts'
import type { DevnetProcess } from '../support/devnet.ts'

const alice = privateKeyToAccount(DEV_KEYS[0])
const bob = privateKeyToAccount(DEV_KEYS[1])
const carol = privateKeyToAccount(DEV_KEYS[2])
const dave = privateKeyToAccount(DEV_KEYS[3])
const DEAD: `0x${string}` = '0x000000000000000000000000000000000000dEaD'
const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
let devnet: DevnetProcess
let client: PublicClient
let wallet: WalletClient

before(async () => {
  devnet = await startDevnet({ blockTime: 0 })
  client = createPublicClient({ chain, transport: http(devnet.url) })
  wallet = createWalletClient({ chain, transport: http(devnet.url) })
})

after(async () => {
  assert.equal(await devnet.stop(), 0)
})

async function sendRaw(raw: `0x${string}`): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  return rpc(devnet.url, 'eth_sendRawTransaction', [raw])
}

async function nonceOf(a: `0x${string}`, tag = 'pending'): Promise<number> {
  return Number((await rpc(devnet.url, 'eth_getTransactionCount', [a, tag])).result)
}

test('types 0 (with and without EIP-155), 1 and 2 are mined with their type', async () => {
  let nonce = await nonceOf(alice.address)
  const base = { to: DEAD, value: 1n, gas: 30_000n } as const
  const raws = [
    await alice.signTransaction({ ...base, type: 'legacy', nonce: nonce++, gasPrice: parseGwei('2'), chainId: 31337 }),
    await alice.signTransaction({ ...base, type: 'legacy', nonce: nonce++, gasPrice: parseGwei('2') }),
    await alice.signTransaction({ ...base, type: 'eip2930', nonce: nonce++, gasPrice: parseGwei('2'), chainId: 31337, accessList: [{ address: DEAD, storageKeys: [] }] }),
    await alice.signTransaction({ ...base, type: 'eip1559', nonce: nonce++, maxFeePerGas: parseGwei('3'), maxPriorityFeePerGas: 1n, chainId: 31337 }),
  ]
  const types = []
  const hashes: `0x${string}`[] = []
  for (const raw of raws) {
    const r = await sendRaw(raw)
    assert.equal(r.error, undefined, JSON.stringify(r.error))
    const receipt = await client.waitForTransactionReceipt({ hash: r.result as `0x${string}` })
    assert.equal(receipt.status, 'success')
    types.push(receipt.type)
    hashes.push(receipt.transactionHash)
  }
  assert.deepEqual(types, ['legacy', 'legacy', 'eip2930', 'eip1559'])
  const protectedTx = await client.getTransaction({ hash: hashes[0] })
  assert.equal(protectedTx.chainId, 31337)
  const unprotected = await client.getTransaction({ hash: hashes[1] })
  assert.equal(unprotected.chainId, undefined)
  assert.ok(unprotected.v === 27n || unprotected.v === 28n, `v ${unprotected.v}`)
})

test('type 4 (EIP-7702): an EOA delegates to a contract and runs its code in its own context', async () => {
  const delegate = delegateContract()
  const deployHash = await wallet.deployContract({ account: alice, abi: delegate.abi, bytecode: delegate.bytecode, chain })
  const delegateAddress = (await client.waitForTransactionReceipt({ hash: deployHash })).contractAddress as `0x${string}`
  const authorization = await bob.signAuthorization({ contractAddress: delegateAddress, chainId: 31337, nonce: await nonceOf(bob.address) })
  const hash = await wallet.sendTransaction({
    account: alice,
    chain,
    type: 'eip7702',
    authorizationList: [authorization],
    to: bob.address,
    data: '0x5c36b186', // ping()
  })
  const receipt = await client.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, 'success')
  assert.equal(receipt.type, 'eip7702')
  const code = await client.getCode({ address: bob.address })
  assert.equal(code, `0xef0100${delegateAddress.slice(2).toLowerCase()}`)
  const event = decodeEventLog({ abi: delegate.abi, data: receipt.logs[0].data, topics: receipt.logs[0].topics as [`0x${string}`] }) as unknown as { args: { self: string; caller: string; count: bigint } }
  assert.equal(event.args.self.toLowerCase(), bob.address.toLowerCase())
  assert.equal(event.args.caller.toLowerCase(), alice.address.toLowerCase())
  assert.equal(event.args.count, 1n)
  assert.equal(await client.readContract({ address: bob.address, abi: delegate.abi, functionName: 'count' }), 1n)
})

test('the pool rejects with geth wording, and a rejected transaction changes nothing', async () => {
  const nonce = await nonceOf(carol.address)
  const fees = { maxFeePerGas: parseGwei('3'), maxPriorityFeePerGas: 1n, chainId: 31337, type: 'eip1559' as const }
  const cases: Array<[Promise<`0x${string}`>, RegExp]> = [
    [carol.signTransaction({ to: DEAD, value: 10n ** 30n, gas: 21_000n, nonce, ...fees }), /^insufficient funds for gas \* price \+ value/],
    [carol.signTransaction({ to: DEAD, value: 1n, gas: 20_000n, nonce, ...fees }), /^intrinsic gas too low/],
    [carol.signTransaction({ to: DEAD, value: 1n, gas: 31_000_000n, nonce, ...fees }), /^exceeds block gas limit/],
    [carol.signTransaction({ to: DEAD, value: 1n, gas: 21_000n, nonce, ...fees, chainId: 1 }), /^invalid chain id for signer/],
  ]
  for (const [raw, message] of cases) {
    const r = await sendRaw(await raw)
    assert.equal(r.error?.code, -32000)
    assert.match(r.error?.message ?? '', message)
  }
  assert.equal(await nonceOf(carol.address), nonce)
  const ok = await carol.signTransaction({ to: DEAD, value: 1n, gas: 21_000n, nonce, ...fees })
  await client.waitForTransactionReceipt({ hash: (await sendRaw(ok)).result as `0x${string}` })
  const replay = await sendRaw(ok)
  assert.match(replay.error?.message ?? '', /^(nonce too low|already known)/)
  assert.match((await sendRaw('0x02c0')).error?.message ?? '', /invalid transaction/)
  assert.match((await sendRaw('0xdeadbeef')).error?.message ?? '', /transaction type not supported|invalid transaction/)
  assert.match((await sendRaw(`0x${'00'.repeat(130 * 1024)}`)).error?.message ?? '', /^oversized data/)
})

test('queued behind a gap, pending once filled; fee cap below base fee queues; replacements need 10%', async () => {
  await rpc(devnet.url, 'evm_setAutomine', [false])
  try {
    const n = await nonceOf(dave.address, 'latest')
    const fees = (maxFee: bigint, tip: bigint) => ({ maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, chainId: 31337, type: 'eip1559' as const, to: DEAD, gas: 21_000n })
    const gapped = await sendRaw(await dave.signTransaction({ ...fees(parseGwei('3'), parseGwei('1')), nonce: n + 1, value: 2n }))
    assert.equal(gapped.error, undefined)
    let status = (await rpc(devnet.url, 'txpool_status')).result as { pending: string; queued: string }
    assert.deepEqual(status, { pending: '0x0', queued: '0x1' })
    const first = await dave.signTransaction({ ...fees(parseGwei('3'), parseGwei('1')), nonce: n, value: 1n })
    assert.equal((await sendRaw(first)).error, undefined)
    status = (await rpc(devnet.url, 'txpool_status')).result as { pending: string; queued: string }
    assert.deepEqual(status, { pending: '0x2', queued: '0x0' })
    const low = await sendRaw(await dave.signTransaction({ ...fees(parseGwei('3.1'), parseGwei('1.05')), nonce: n, value: 1n }))
    assert.match(low.error?.message ?? '', /^replacement transaction underpriced/)
    const bumped = await dave.signTransaction({ ...fees(parseGwei('3.3'), parseGwei('1.1')), nonce: n, value: 5n })
    const bumpedHash = (await sendRaw(bumped)).result as string
    assert.match(bumpedHash, /^0x[0-9a-f]{64}$/)
    const cheap = await sendRaw(await dave.signTransaction({ ...fees(100n, 1n), nonce: n + 2, value: 3n }))
    assert.equal(cheap.error, undefined, 'a fee cap below the base fee is queued, not rejected')
    const content = (await rpc(devnet.url, 'txpool_content')).result as { pending: Record<string, Record<string, { hash: string }>>; queued: Record<string, Record<string, unknown>> }
    const mine = content.pending[dave.address.toLowerCase()]
    assert.equal(mine[String(n)].hash, bumpedHash)
    assert.ok(mine[String(n + 1)])
    assert.ok(content.queued[dave.address.toLowerCase()][String(n + 2)])
    await rpc(devnet.url, 'evm_mine')
    assert.equal(await nonceOf(dave.address, 'latest'), n + 2)
    const tx = await client.getTransaction({ hash: bumpedHash as `0x${string}` })
    assert.equal(tx.value, 5n)
    assert.equal(toHex(tx.nonce), toHex(n))
  } finally {
    await rpc(devnet.url, 'evm_setAutomine', [true])
  }
})
