// viem against a real `opal devnet` process: transfers, an ERC-20's whole life, custom-error
// reverts, historical reads, gas estimates, logs and filters, WebSocket subscriptions.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, defineChain, http, parseEther, webSocket,
} from 'viem'
import type { PublicClient, WalletClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS, tokenContract } from '../support/contracts.ts'
import { startDevnet } from '../support/devnet.ts'
import type { DevnetProcess } from '../support/devnet.ts'

const token = tokenContract()
const alice = privateKeyToAccount(DEV_KEYS[0])
const bob = privateKeyToAccount(DEV_KEYS[1])
const DEAD = '0x000000000000000000000000000000000000dEaD'
let devnet: DevnetProcess
let client: PublicClient
let wallet: WalletClient
let tokenAddress: `0x${string}`

before(async () => {
  devnet = await startDevnet({ blockTime: 0 })
  const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [devnet.url] } } })
  client = createPublicClient({ chain, transport: http(devnet.url) })
  wallet = createWalletClient({ account: alice, chain, transport: http(devnet.url) })
})

after(async () => {
  assert.equal(await devnet.stop(), 0)
})

test('native transfers move OPEN and the receipt says so', async () => {
  const before = await client.getBalance({ address: DEAD })
  const hash = await wallet.sendTransaction({ account: alice, chain: wallet.chain, to: DEAD, value: parseEther('1.5') })
  const receipt = await client.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, 'success')
  assert.equal(receipt.gasUsed, 21_000n)
  assert.equal(await client.getBalance({ address: DEAD }), before + parseEther('1.5'))
  const tx = await client.getTransaction({ hash })
  assert.equal(tx.from.toLowerCase(), alice.address.toLowerCase())
  assert.equal(tx.blockNumber, receipt.blockNumber)
})

test('an ERC-20 deploys, transfers, and its balances read at past blocks', async () => {
  const hash = await wallet.deployContract({ account: alice, chain: wallet.chain, abi: token.abi, bytecode: token.bytecode, args: ['Test', 'TST', 1_000_000n] })
  const receipt = await client.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, 'success')
  tokenAddress = receipt.contractAddress as `0x${string}`
  assert.equal(await client.readContract({ address: tokenAddress, abi: token.abi, functionName: 'symbol' }), 'TST')
  const deployedAt = receipt.blockNumber
  const t = await wallet.writeContract({ account: alice, chain: wallet.chain, address: tokenAddress, abi: token.abi, functionName: 'transfer', args: [bob.address, 250n] })
  const tr = await client.waitForTransactionReceipt({ hash: t })
  assert.equal(tr.status, 'success')
  assert.equal(tr.logs.length, 1)
  assert.equal(await client.readContract({ address: tokenAddress, abi: token.abi, functionName: 'balanceOf', args: [bob.address] }), 250n)
  assert.equal(await client.readContract({ address: tokenAddress, abi: token.abi, functionName: 'balanceOf', args: [bob.address], blockNumber: deployedAt }), 0n)
  assert.equal(await client.readContract({ address: tokenAddress, abi: token.abi, functionName: 'balanceOf', args: [alice.address], blockNumber: deployedAt }), 1_000_000n)
})

test('a custom-error revert decodes with its name and arguments', async () => {
  await assert.rejects(
    client.simulateContract({ account: bob, address: tokenAddress, abi: token.abi, functionName: 'transfer', args: [alice.address, 10_000n] }),
    (err: unknown) => {
      assert.ok(err instanceof BaseError)
      const revert = err.walk((e) => e instanceof ContractFunctionRevertedError)
      assert.ok(revert instanceof ContractFunctionRevertedError, String(err))
      assert.equal(revert.data?.errorName, 'InsufficientBalance')
      assert.deepEqual(revert.data?.args, [bob.address, 250n, 10_000n])
      return true
    },
  )
  await assert.rejects(
    client.simulateContract({ account: bob, address: tokenAddress, abi: token.abi, functionName: 'mint', args: [bob.address, 1n] }),
    (err: unknown) => {
      const revert = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError
      assert.equal(revert.data?.errorName, 'NotOwner')
      return true
    },
  )
  await assert.rejects(
    client.simulateContract({ account: bob, address: tokenAddress, abi: token.abi, functionName: 'transferFrom', args: [alice.address, bob.address, 1n] }),
    (err: unknown) => {
      const revert = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError
      assert.equal(revert.reason, 'allowance exceeded')
      return true
    },
  )
})

test('gas estimates are enough and not wasteful', async () => {
  const estimate = await client.estimateContractGas({ account: alice, address: tokenAddress, abi: token.abi, functionName: 'transfer', args: [DEAD, 1n] })
  const hash = await wallet.writeContract({ account: alice, chain: wallet.chain, address: tokenAddress, abi: token.abi, functionName: 'transfer', args: [DEAD, 1n], gas: estimate })
  const receipt = await client.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, 'success')
  assert.ok(receipt.gasUsed <= estimate)
  assert.ok(estimate - receipt.gasUsed < estimate / 20n, `estimate ${estimate} vs used ${receipt.gasUsed}`)
  assert.equal(await client.estimateGas({ account: alice, to: DEAD, value: 1n }), 21_000n)
})

test('logs filter by address and topic, and polled filters return only what is new', async () => {
  const all = await client.getContractEvents({ address: tokenAddress, abi: token.abi, eventName: 'Transfer', fromBlock: 0n })
  assert.ok(all.length >= 3)
  const toBob = await client.getContractEvents({ address: tokenAddress, abi: token.abi, eventName: 'Transfer', args: { to: bob.address }, fromBlock: 0n })
  assert.equal(toBob.length, 1)
  assert.equal((toBob[0] as unknown as { args: { value: bigint } }).args.value, 250n)
  const none = await client.getLogs({ address: DEAD, fromBlock: 0n })
  assert.equal(none.length, 0)
  const filter = await client.createContractEventFilter({ address: tokenAddress, abi: token.abi, eventName: 'Transfer' })
  const hash = await wallet.writeContract({ account: alice, chain: wallet.chain, address: tokenAddress, abi: token.abi, functionName: 'transfer', args: [bob.address, 5n] })
  await client.waitForTransactionReceipt({ hash })
  const changes = await client.getFilterChanges({ filter })
  assert.equal(changes.length, 1)
  assert.equal(changes[0].transactionHash, hash)
  assert.equal((await client.getFilterChanges({ filter })).length, 0)
  const blocks = await client.createBlockFilter()
  await client.waitForTransactionReceipt({ hash: await wallet.sendTransaction({ account: alice, chain: wallet.chain, to: DEAD, value: 1n }) })
  assert.ok((await client.getFilterChanges({ filter: blocks })).length >= 1)
  assert.equal(await client.uninstallFilter({ filter }), true)
})

test('WebSocket: newHeads and logs subscriptions deliver as blocks are made', async () => {
  const ws = createPublicClient({ transport: webSocket(devnet.wsUrl) })
  const heads: bigint[] = []
  const events: bigint[] = []
  const unwatchBlocks = ws.watchBlocks({ onBlock: (b) => heads.push(b.number) })
  const unwatchEvents = ws.watchContractEvent({ address: tokenAddress, abi: token.abi, eventName: 'Transfer', onLogs: (logs) => logs.forEach((l) => events.push((l as unknown as { args: { value: bigint } }).args.value)) })
  await new Promise((r) => setTimeout(r, 300))
  const hash = await wallet.writeContract({ account: alice, chain: wallet.chain, address: tokenAddress, abi: token.abi, functionName: 'transfer', args: [bob.address, 77n] })
  const receipt = await client.waitForTransactionReceipt({ hash })
  const deadline = Date.now() + 5000
  while ((heads.length === 0 || !events.includes(77n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  unwatchBlocks()
  unwatchEvents()
  assert.ok(heads.includes(receipt.blockNumber), `heads ${heads}`)
  assert.ok(events.includes(77n), `events ${events}`)
  await ws.transport.getRpcClient().then((c) => c.close())
})
