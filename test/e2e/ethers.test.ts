// ethers v6 against a real `opal devnet` process.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ContractFactory, JsonRpcProvider, Wallet, WebSocketProvider, isError, parseEther } from 'ethers'
import type { Contract } from 'ethers'
import { DEV_KEYS, tokenContract } from '../support/contracts.ts'
import { startDevnet } from '../support/devnet.ts'
import type { DevnetProcess } from '../support/devnet.ts'

const token = tokenContract()
let devnet: DevnetProcess
let provider: JsonRpcProvider
let alice: Wallet
let bob: Wallet

before(async () => {
  devnet = await startDevnet({ blockTime: 0 })
  // no response cache: a test reads the same balance before and after a block
  provider = new JsonRpcProvider(devnet.url, 31337, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 })
  alice = new Wallet(DEV_KEYS[0], provider)
  bob = new Wallet(DEV_KEYS[1], provider)
})

after(async () => {
  provider.destroy()
  assert.equal(await devnet.stop(), 0)
})

test('network, fee data and fee history look like any EIP-1559 chain', async () => {
  const net = await provider.getNetwork()
  assert.equal(net.chainId, 31337n)
  const fees = await provider.getFeeData()
  assert.ok(fees.maxFeePerGas !== null && fees.maxFeePerGas > 0n)
  assert.ok(fees.maxPriorityFeePerGas !== null && fees.maxPriorityFeePerGas > 0n)
  assert.ok(fees.gasPrice !== null && fees.gasPrice >= 875_000_000n)
  for (let i = 0; i < 3; i++) await (await alice.sendTransaction({ to: bob.address, value: 1n })).wait()
  const history = await provider.send('eth_feeHistory', ['0x2', 'latest', [50]])
  assert.equal(history.baseFeePerGas.length, 3)
  assert.equal(history.reward.length, 2)
  assert.equal(history.gasUsedRatio.length, 2)
  assert.equal(BigInt(history.oldestBlock), BigInt(await provider.getBlockNumber()) - 1n)
})

test('a transfer, then a contract deploy and calls', async () => {
  const before = await provider.getBalance(bob.address)
  const tx = await alice.sendTransaction({ to: bob.address, value: parseEther('2') })
  const receipt = await tx.wait()
  assert.equal(receipt?.status, 1)
  assert.equal(await provider.getBalance(bob.address), before + parseEther('2'))

  const factory = new ContractFactory(token.abi as never, token.bytecode, alice)
  const contract = (await factory.deploy('Ether Token', 'ETK', 1000n)) as Contract
  await contract.waitForDeployment()
  assert.equal(await contract.getFunction('name')(), 'Ether Token')
  const t = await contract.getFunction('transfer')(bob.address, 40n)
  await t.wait()
  assert.equal(await contract.getFunction('balanceOf')(bob.address), 40n)
  assert.equal(await contract.getFunction('balanceOf')(alice.address), 960n)

  // a revert decoded by ethers from our error data
  const asBob = contract.connect(bob) as Contract
  await assert.rejects(asBob.getFunction('transfer').staticCall(alice.address, 41n), (err: unknown) => {
    assert.ok(isError(err, 'CALL_EXCEPTION'), String(err))
    assert.equal(err.revert?.name, 'InsufficientBalance')
    assert.deepEqual([...(err.revert?.args ?? [])], [bob.address, 40n, 41n])
    return true
  })
  await assert.rejects(asBob.getFunction('transferFrom').staticCall(alice.address, bob.address, 1n), (err: unknown) => {
    assert.ok(isError(err, 'CALL_EXCEPTION'))
    assert.equal(err.reason, 'allowance exceeded')
    return true
  })
})

test("provider.on('block') follows new blocks over polling and WebSocket", async () => {
  const seen: number[] = []
  await provider.on('block', (n: number) => seen.push(n))
  const ws = new WebSocketProvider(devnet.wsUrl, 31337)
  const wsSeen: number[] = []
  await ws.on('block', (n: number) => wsSeen.push(n))
  await new Promise((r) => setTimeout(r, 300))
  const r = await (await alice.sendTransaction({ to: bob.address, value: 1n })).wait()
  const deadline = Date.now() + 5000
  while ((!seen.includes(r!.blockNumber) || !wsSeen.includes(r!.blockNumber)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50))
  await provider.off('block')
  await ws.destroy()
  assert.ok(seen.includes(r!.blockNumber), `polled ${seen}`)
  assert.ok(wsSeen.includes(r!.blockNumber), `ws ${wsSeen}`)
})
