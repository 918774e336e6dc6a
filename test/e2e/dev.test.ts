// Development methods of the devnet: mining, snapshots, state edits and signing with dev keys.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, defineChain, http, verifyMessage, verifyTypedData } from 'viem'
import { rpc, startDevnet } from '../support/devnet.ts'
import type { DevnetProcess } from '../support/devnet.ts'

const ALICE = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'
const BOB = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
const DEAD = '0x000000000000000000000000000000000000dead'
const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
let devnet: DevnetProcess

before(async () => {
  devnet = await startDevnet({ blockTime: 0 })
})

after(async () => {
  assert.equal(await devnet.stop(), 0)
})

const call = async (method: string, params: unknown[] = []) => {
  const r = await rpc(devnet.url, method, params)
  assert.equal(r.error, undefined, `${method}: ${JSON.stringify(r.error)}`)
  return r.result
}

test('eth_accounts lists the ten dev accounts; eth_sendTransaction signs with them', async () => {
  const accounts = (await call('eth_accounts')) as string[]
  assert.equal(accounts.length, 10)
  assert.equal(accounts[0], ALICE)
  const hash = (await call('eth_sendTransaction', [{ from: BOB, to: DEAD, value: '0x64' }])) as `0x${string}`
  const client = createPublicClient({ chain, transport: http(devnet.url) })
  const receipt = await client.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, 'success')
  assert.equal(receipt.from, BOB)
  const unknown = await rpc(devnet.url, 'eth_sendTransaction', [{ from: DEAD, to: BOB, value: '0x1' }])
  assert.equal(unknown.error?.code, -32000)
  assert.match(unknown.error?.message ?? '', /unknown account/)
})

test('personal_sign, eth_sign and eth_signTypedData_v4 produce signatures that verify', async () => {
  const message = 'hello opal'
  const raw = `0x${Buffer.from(message).toString('hex')}`
  const sig = (await call('personal_sign', [raw, ALICE])) as `0x${string}`
  assert.ok(await verifyMessage({ address: ALICE, message, signature: sig }))
  const sig2 = (await call('eth_sign', [ALICE, raw])) as `0x${string}`
  assert.equal(sig2, sig)
  const typed = {
    domain: { name: 'Test', version: '1', chainId: 31337, verifyingContract: DEAD },
    types: {
      EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }],
      Mail: [{ name: 'to', type: 'address' }, { name: 'contents', type: 'string' }],
    },
    primaryType: 'Mail',
    message: { to: BOB, contents: 'hi' },
  } as const
  const sig3 = (await call('eth_signTypedData_v4', [ALICE, JSON.stringify(typed)])) as `0x${string}`
  const { EIP712Domain: _, ...types } = typed.types
  assert.ok(await verifyTypedData({ address: ALICE, domain: typed.domain, types, primaryType: 'Mail', message: typed.message, signature: sig3 }))
})

test('evm_mine, evm_setNextBlockTimestamp and anvil_mine make blocks on demand', async () => {
  const n0 = BigInt((await call('eth_blockNumber')) as string)
  await call('evm_mine')
  assert.equal(BigInt((await call('eth_blockNumber')) as string), n0 + 1n)
  const latest = (await call('eth_getBlockByNumber', ['latest', false])) as { timestamp: string }
  const next = BigInt(latest.timestamp) + 1000n
  await call('evm_setNextBlockTimestamp', [`0x${next.toString(16)}`])
  await call('evm_mine')
  const mined = (await call('eth_getBlockByNumber', ['latest', false])) as { timestamp: string }
  assert.equal(BigInt(mined.timestamp), next)
  await call('anvil_mine', ['0x5'])
  assert.equal(BigInt((await call('eth_blockNumber')) as string), n0 + 7n)
})

test('state edits (opal_ and anvil_ names) land in a block of their own', async () => {
  await call('opal_setBalance', [DEAD, '0x1234'])
  assert.equal(await call('eth_getBalance', [DEAD, 'latest']), '0x1234')
  await call('anvil_setCode', [DEAD, '0x6001600101'])
  assert.equal(await call('eth_getCode', [DEAD, 'latest']), '0x6001600101')
  await call('opal_setStorageAt', [DEAD, '0x1', `0x${'00'.repeat(31)}2a`])
  assert.equal(await call('eth_getStorageAt', [DEAD, '0x1', 'latest']), `0x${'00'.repeat(31)}2a`)
  await call('opal_setNonce', [DEAD, '0x9'])
  assert.equal(await call('eth_getTransactionCount', [DEAD, 'latest']), '0x9')
})

test('evm_snapshot / evm_revert rewind the chain, and a snapshot is used once', async () => {
  const id = (await call('evm_snapshot')) as string
  const n = BigInt((await call('eth_blockNumber')) as string)
  const balance = await call('eth_getBalance', [DEAD, 'latest'])
  const hash = (await call('eth_sendTransaction', [{ from: ALICE, to: DEAD, value: '0x1' }])) as string
  await new Promise((r) => setTimeout(r, 200))
  assert.notEqual(await call('eth_getBalance', [DEAD, 'latest']), balance)
  assert.equal(await call('evm_revert', [id]), true)
  assert.equal(BigInt((await call('eth_blockNumber')) as string), n)
  assert.equal(await call('eth_getBalance', [DEAD, 'latest']), balance)
  assert.equal(await call('eth_getTransactionReceipt', [hash]), null)
  assert.equal(await call('evm_revert', [id]), false)
  // the chain goes on from the reverted head
  await call('evm_mine')
  assert.equal(BigInt((await call('eth_blockNumber')) as string), n + 1n)
})
