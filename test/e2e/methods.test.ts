// The rest of the method table: access lists, state overrides, block receipts and indexes,
// pending-transaction subscriptions and filters, fee suggestions, client identity, metrics.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, createWalletClient, defineChain, encodeFunctionData, http, webSocket } from 'viem'
import type { PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS, readerContract, tokenContract } from '../support/contracts.ts'
import { rpc, startDevnet } from '../support/devnet.ts'
import type { DevnetProcess } from '../support/devnet.ts'

const alice = privateKeyToAccount(DEV_KEYS[0])
const bob = privateKeyToAccount(DEV_KEYS[1])
const DEAD = '0x000000000000000000000000000000000000dead'
const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
const token = tokenContract()
let devnet: DevnetProcess
let client: PublicClient
let tokenAddress: `0x${string}`

before(async () => {
  devnet = await startDevnet({ blockTime: 0 })
  client = createPublicClient({ chain, transport: http(devnet.url) })
  const wallet = createWalletClient({ account: alice, chain, transport: http(devnet.url) })
  const r = await client.waitForTransactionReceipt({ hash: await wallet.deployContract({ account: alice, chain, abi: token.abi, bytecode: token.bytecode, args: ['M', 'M', 1000n] }) })
  tokenAddress = r.contractAddress as `0x${string}`
})

after(async () => {
  assert.equal(await devnet.stop(), 0)
})

const call = async (method: string, params: unknown[] = []) => {
  const r = await rpc(devnet.url, method, params)
  assert.equal(r.error, undefined, `${method}: ${JSON.stringify(r.error)}`)
  return r.result
}

test('eth_createAccessList: what a call touches beyond its sender and recipient (as geth)', async () => {
  const data = encodeFunctionData({ abi: token.abi, functionName: 'balanceOf', args: [DEAD] })
  const direct = (await call('eth_createAccessList', [{ from: alice.address, to: tokenAddress, data }, 'latest'])) as { accessList: unknown[]; gasUsed: string }
  assert.deepEqual(direct.accessList, [], 'the recipient is warm anyway and is left out, slots included')
  assert.ok(BigInt(direct.gasUsed) > 21_000n)
  // through another contract: the token and the slot read are listed, and the list saves gas
  const reader = readerContract()
  const wallet = createWalletClient({ account: alice, chain, transport: http(devnet.url) })
  const deployed = await client.waitForTransactionReceipt({ hash: await wallet.deployContract({ account: alice, chain, abi: reader.abi, bytecode: reader.bytecode }) })
  const readData = encodeFunctionData({ abi: reader.abi, functionName: 'read', args: [tokenAddress, DEAD] })
  const req = { from: alice.address, to: deployed.contractAddress, data: readData }
  const listed = (await call('eth_createAccessList', [req, 'latest'])) as { accessList: Array<{ address: string; storageKeys: string[] }>; gasUsed: string }
  const slot = (await call('web3_sha3', [`0x${DEAD.slice(2).padStart(64, '0')}${'4'.padStart(64, '0')}`])) as string
  assert.deepEqual(listed.accessList, [{ address: tokenAddress.toLowerCase(), storageKeys: [slot] }])
  const without = BigInt((await call('eth_estimateGas', [req])) as string)
  const withList = BigInt((await call('eth_estimateGas', [{ ...req, accessList: listed.accessList }])) as string)
  assert.ok(withList < without, `${withList} < ${without}`)
})

test('eth_call with state overrides: balance, code and storage replaced for one call', async () => {
  const data = encodeFunctionData({ abi: token.abi, functionName: 'balanceOf', args: [DEAD] })
  const plain = (await call('eth_call', [{ to: tokenAddress, data }, 'latest'])) as string
  assert.equal(BigInt(plain), 0n)
  // slot of balanceOf[DEAD]: keccak(pad(DEAD) ‖ pad(4)), computed by the node itself via web3_sha3
  const key = (await call('web3_sha3', [`0x${DEAD.slice(2).padStart(64, '0')}${'4'.padStart(64, '0')}`])) as string
  const overridden = (await call('eth_call', [{ to: tokenAddress, data }, 'latest', { [tokenAddress]: { stateDiff: { [key]: `0x${'0'.repeat(62)}2a` } } }])) as string
  assert.equal(BigInt(overridden), 42n)
  assert.equal(BigInt((await call('eth_call', [{ to: tokenAddress, data }, 'latest'])) as string), 0n, 'the override did not persist')
  const rich = (await call('eth_call', [{ from: DEAD, to: bob.address, value: '0xde0b6b3a7640000' }, 'latest', { [DEAD]: { balance: '0xde0b6b3a7640000' } }])) as string
  assert.equal(rich, '0x')
  const poor = await rpc(devnet.url, 'eth_call', [{ from: DEAD, to: bob.address, value: '0xde0b6b3a7640000' }, 'latest'])
  assert.match(poor.error?.message ?? '', /insufficient funds/)
  // code override: a contract that returns 7
  const seven = (await call('eth_call', [{ to: DEAD, data: '0x' }, 'latest', { [DEAD]: { code: '0x600760005260206000f3' } }])) as string
  assert.equal(BigInt(seven), 7n)
})

test('block receipts, transactions by block and index, counts', async () => {
  const wallet = createWalletClient({ account: bob, chain, transport: http(devnet.url) })
  const hash = await wallet.sendTransaction({ account: bob, chain, to: DEAD, value: 3n })
  const r = await client.waitForTransactionReceipt({ hash })
  const n = `0x${r.blockNumber.toString(16)}`
  const receipts = (await call('eth_getBlockReceipts', [n])) as Array<{ transactionHash: string; logsBloom: string; cumulativeGasUsed: string }>
  assert.equal(receipts.length, 1)
  assert.equal(receipts[0].transactionHash, hash)
  const byIndex = (await call('eth_getTransactionByBlockNumberAndIndex', [n, '0x0'])) as { hash: string; transactionIndex: string }
  assert.equal(byIndex.hash, hash)
  const byHash = (await call('eth_getTransactionByBlockHashAndIndex', [r.blockHash, '0x0'])) as { hash: string }
  assert.equal(byHash.hash, hash)
  assert.equal(await call('eth_getTransactionByBlockNumberAndIndex', [n, '0x5']), null)
  assert.equal(await call('eth_getBlockTransactionCountByNumber', [n]), '0x1')
  assert.equal(await call('eth_getBlockTransactionCountByHash', [r.blockHash]), '0x1')
  assert.equal(await call('eth_getUncleCountByBlockNumber', [n]), '0x0')
  const full = (await call('eth_getBlockByHash', [r.blockHash, true])) as { transactions: Array<{ hash: string; from: string }> }
  assert.equal(full.transactions[0].from, bob.address.toLowerCase())
  assert.equal(await call('eth_getBlockByHash', [`0x${'00'.repeat(32)}`, false]), null)
  assert.equal(await call('eth_getTransactionReceipt', [`0x${'00'.repeat(32)}`]), null)
  assert.equal(await call('eth_getTransactionByHash', [`0x${'00'.repeat(32)}`]), null)
})

test('pending transactions: WebSocket subscription, polled filter, and lookup before mining', async () => {
  await call('evm_setAutomine', [false])
  try {
    const ws = createPublicClient({ chain, transport: webSocket(devnet.wsUrl) })
    const seen: string[] = []
    const unwatch = ws.watchPendingTransactions({ onTransactions: (hs) => seen.push(...hs) })
    const filter = (await call('eth_newPendingTransactionFilter')) as string
    await new Promise((r) => setTimeout(r, 200))
    const nonce = Number(await call('eth_getTransactionCount', [alice.address, 'pending']))
    const raw = await alice.signTransaction({ type: 'eip1559', chainId: 31337, nonce, to: DEAD, value: 9n, gas: 21_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 1n })
    const hash = (await call('eth_sendRawTransaction', [raw])) as string
    const pending = (await call('eth_getTransactionByHash', [hash])) as { blockNumber: string | null; hash: string }
    assert.equal(pending.blockNumber, null)
    assert.equal(await call('eth_getTransactionReceipt', [hash]), null)
    const deadline = Date.now() + 3000
    while (!seen.includes(hash) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    unwatch()
    assert.ok(seen.includes(hash))
    assert.deepEqual(await call('eth_getFilterChanges', [filter]), [hash])
    const inspect = (await call('txpool_inspect')) as { pending: Record<string, Record<string, string>> }
    assert.match(inspect.pending[alice.address.toLowerCase()][String(nonce)], /0x000000000000000000000000000000000000dead: 9 wei/)
    await ws.transport.getRpcClient().then((c) => c.close())
  } finally {
    await call('evm_setAutomine', [true])
  }
})

test('identity, fees, syncing, metrics', async () => {
  assert.match((await call('web3_clientVersion')) as string, /^opal\/v\d+\.\d+\.\d+\//)
  assert.equal(await call('net_version'), '31337')
  // a single-node devnet runs without the p2p network
  assert.equal(await call('net_listening'), false)
  assert.equal(await call('net_peerCount'), '0x0')
  assert.equal(await call('eth_syncing'), false)
  assert.equal(await call('web3_sha3', ['0x']), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
  const tip = BigInt((await call('eth_maxPriorityFeePerGas')) as string)
  const price = BigInt((await call('eth_gasPrice')) as string)
  const latest = (await call('eth_getBlockByNumber', ['latest', false])) as { baseFeePerGas: string }
  assert.ok(tip >= 1_000_000n)
  assert.ok(price > tip && price <= BigInt(latest.baseFeePerGas) * 2n + tip)
  await call('eth_chainId')
  const metrics = await (await fetch(`${devnet.url}/metrics`)).text()
  assert.match(metrics, /^opal_chain_head_number \d+$/m)
  assert.match(metrics, /opal_rpc_request_seconds_count\{method="eth_chainId",outcome="ok"\} \d+/)
})
