// Historical state: reads at past blocks within the retained window, a clear error outside it,
// every block with --archive; EIP-1186 proofs verified against the header's state root.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { verifyMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { createPublicClient, createWalletClient, defineChain, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS, tokenContract } from '../support/contracts.ts'
import { rpc, startDevnet } from '../support/devnet.ts'
import type { DevnetProcess } from '../support/devnet.ts'

const alice = privateKeyToAccount(DEV_KEYS[0])
const DEAD = '0x000000000000000000000000000000000000dead'
const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
let pruned: DevnetProcess
let archive: DevnetProcess

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'))

async function transferAndMine(d: DevnetProcess): Promise<bigint> {
  const wallet = createWalletClient({ account: alice, chain, transport: http(d.url) })
  const client = createPublicClient({ chain, transport: http(d.url) })
  const r = await client.waitForTransactionReceipt({ hash: await wallet.sendTransaction({ account: alice, chain, to: DEAD, value: 7n }) })
  // 140 more blocks: block r.blockNumber falls out of the 128-block window
  const res = await rpc(d.url, 'anvil_mine', ['0x8c'])
  assert.equal(res.error, undefined)
  return r.blockNumber
}

before(async () => {
  ;[pruned, archive] = await Promise.all([startDevnet({ blockTime: 0 }), startDevnet({ blockTime: 0, archive: true })])
})

after(async () => {
  assert.equal(await pruned.stop(), 0)
  assert.equal(await archive.stop(), 0)
})

test('state older than 128 blocks needs --archive; recent state answers everywhere', async () => {
  const [n1, n2] = await Promise.all([transferAndMine(pruned), transferAndMine(archive)])
  const head = BigInt((await rpc(pruned.url, 'eth_blockNumber')).result as string)
  assert.ok(head - n1 > 128n)
  const old = await rpc(pruned.url, 'eth_getBalance', [DEAD, `0x${n1.toString(16)}`])
  assert.equal(old.error?.code, -32000)
  assert.match(old.error?.message ?? '', /not available.*last 128 blocks.*--archive/)
  const oldCall = await rpc(pruned.url, 'eth_call', [{ to: DEAD }, `0x${n1.toString(16)}`])
  assert.equal(oldCall.error?.code, -32000)
  const recent = await rpc(pruned.url, 'eth_getBalance', [DEAD, `0x${(head - 10n).toString(16)}`])
  assert.equal(recent.result, '0x7')
  assert.equal((await rpc(archive.url, 'eth_getBalance', [DEAD, `0x${n2.toString(16)}`])).result, '0x7')
  assert.equal((await rpc(archive.url, 'eth_getBalance', [DEAD, `0x${(n2 - 1n).toString(16)}`])).result, '0x0')
  assert.equal((await rpc(archive.url, 'eth_getBalance', [DEAD, '0x0'])).result, '0x0')
  // a block that does not exist yet
  const future = await rpc(archive.url, 'eth_getBalance', [DEAD, '0xffffff'])
  assert.match(future.error?.message ?? '', /header not found/)
  assert.equal((await rpc(archive.url, 'eth_getBlockByNumber', ['0xffffff', false])).result, null)
})

test('eth_getProof: account and storage proofs verify against the block state root', async () => {
  const client = createPublicClient({ chain, transport: http(archive.url) })
  const wallet = createWalletClient({ account: alice, chain, transport: http(archive.url) })
  const token = tokenContract()
  const receipt = await client.waitForTransactionReceipt({ hash: await wallet.deployContract({ account: alice, chain, abi: token.abi, bytecode: token.bytecode, args: ['P', 'P', 555n] }) })
  const address = receipt.contractAddress as `0x${string}`
  const block = await client.getBlock({ blockNumber: receipt.blockNumber })
  // slot 2 holds totalSupply in the Token contract's layout
  const proof = (await rpc(archive.url, 'eth_getProof', [address, ['0x2'], `0x${receipt.blockNumber.toString(16)}`])).result as {
    accountProof: string[]; balance: string; nonce: string; codeHash: string; storageHash: string; storageProof: Array<{ key: string; value: string; proof: string[] }>
  }
  const accountNodes = proof.accountProof.map(bytes)
  assert.equal(hex(keccak_256(accountNodes[0])), block.stateRoot)
  const accountRlp = await verifyMerkleProof(keccak_256(bytes(address)), accountNodes)
  assert.ok(accountRlp !== null)
  const [nonce, balance, storageRoot, codeHash] = RLP.decode(accountRlp) as Uint8Array[]
  assert.equal(BigInt(hex(nonce) === '0x' ? 0 : hex(nonce)), BigInt(proof.nonce))
  assert.equal(BigInt(hex(balance) === '0x' ? 0 : hex(balance)), BigInt(proof.balance))
  assert.equal(hex(storageRoot), proof.storageHash)
  assert.equal(hex(codeHash), proof.codeHash)
  const storageNodes = proof.storageProof[0].proof.map(bytes)
  assert.equal(hex(keccak_256(storageNodes[0])), proof.storageHash)
  const slot2 = new Uint8Array(32)
  slot2[31] = 2
  const slotValue = await verifyMerkleProof(keccak_256(slot2), storageNodes)
  assert.ok(slotValue !== null)
  assert.equal(BigInt(hex(RLP.decode(slotValue) as Uint8Array)), 555n)
  assert.equal(BigInt(proof.storageProof[0].value), 555n)
  // a proof for an account that does not exist proves its absence
  const absent = (await rpc(archive.url, 'eth_getProof', ['0x00000000000000000000000000000000000000aa', [], 'latest'])).result as { accountProof: string[]; balance: string }
  assert.equal(absent.balance, '0x0')
  assert.equal(await verifyMerkleProof(keccak_256(bytes('0x00000000000000000000000000000000000000aa')), absent.accountProof.map(bytes)), null)
})
