// Foundry's cast (from the npm registry) against a real `opal devnet` process.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { DEV_KEYS, tokenContract } from '../support/contracts.ts'
import { startDevnet } from '../support/devnet.ts'
import type { DevnetProcess } from '../support/devnet.ts'

const exec = promisify(execFile)
const CAST = new URL('../../node_modules/.bin/cast', import.meta.url).pathname
const ALICE = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const BOB = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const DEAD = '0x000000000000000000000000000000000000dEaD'
let devnet: DevnetProcess
let tokenAddress: string

async function cast(...args: string[]): Promise<string> {
  const { stdout } = await exec(CAST, [args[0], '--rpc-url', devnet.url, ...args.slice(1)], { env: { ...process.env, NO_COLOR: '1' } })
  return stdout.trim()
}

async function castJson<T>(...args: string[]): Promise<T> {
  // right after the subcommand: trailing flags would be taken as constructor or function arguments
  const out = await cast(args[0], '--json', ...args.slice(1))
  try {
    return JSON.parse(out) as T
  } catch {
    throw new Error(`cast ${args.join(' ')} printed no JSON: ${JSON.stringify(out)}`)
  }
}

before(async () => {
  devnet = await startDevnet({ blockTime: 0 })
})

after(async () => {
  assert.equal(await devnet.stop(), 0)
})

test('chain id, block number and blocks', async () => {
  assert.equal(await cast('chain-id'), '31337')
  const block = await castJson<{ number: string; hash: string }>('block', 'latest')
  assert.equal(BigInt(block.number), BigInt(await cast('block-number')))
  assert.match(block.hash, /^0x[0-9a-f]{64}$/)
})

test('cast send with a private key and with an unlocked dev account; balances and receipts', async () => {
  const before = BigInt(await cast('balance', DEAD))
  const sent = await castJson<{ status: string; transactionHash: string; gasUsed: string }>('send', '--private-key', DEV_KEYS[0], DEAD, '--value', '1ether')
  assert.equal(sent.status, '0x1')
  assert.equal(BigInt(sent.gasUsed), 21_000n)
  const unlocked = await castJson<{ status: string; from: string }>('send', '--unlocked', '--from', BOB, DEAD, '--value', '2ether')
  assert.equal(unlocked.status, '0x1')
  assert.equal(unlocked.from.toLowerCase(), BOB.toLowerCase())
  assert.equal(BigInt(await cast('balance', DEAD)), before + 3n * 10n ** 18n)
  const receipt = await castJson<{ transactionHash: string; from: string }>('receipt', sent.transactionHash)
  assert.equal(receipt.transactionHash, sent.transactionHash)
  assert.equal(receipt.from.toLowerCase(), ALICE.toLowerCase())
  const tx = await castJson<{ to: string }>('tx', sent.transactionHash)
  assert.equal(tx.to.toLowerCase(), DEAD.toLowerCase())
})

test('deploy an ERC-20 with cast, call its views, estimate, and read its logs', async () => {
  const token = tokenContract()
  const deployed = await castJson<{ status: string; contractAddress: string }>('send', '--private-key', DEV_KEYS[0], '--create', token.bytecode, 'constructor(string,string,uint256)', 'Cast Token', 'CST', '1000')
  assert.equal(deployed.status, '0x1')
  tokenAddress = deployed.contractAddress
  assert.equal(await cast('call', tokenAddress, 'symbol()(string)'), '"CST"')
  await cast('send', '--private-key', DEV_KEYS[0], tokenAddress, 'transfer(address,uint256)', BOB, '123')
  assert.equal(await cast('call', tokenAddress, 'balanceOf(address)(uint256)', BOB), '123')
  const estimate = BigInt(await cast('estimate', '--from', ALICE, tokenAddress, 'transfer(address,uint256)', BOB, '1'))
  assert.ok(estimate > 21_000n && estimate < 100_000n, `estimate ${estimate}`)
  const logs = await castJson<Array<{ topics: string[] }>>('logs', '--from-block', '0', '--address', tokenAddress, 'Transfer(address indexed,address indexed,uint256)')
  assert.equal(logs.length, 2)
  assert.equal(BigInt(logs[1].topics[2]), BigInt(BOB))
  // cast prints a failed call's error and still exits 0: read what it printed
  const { stderr } = await exec(CAST, ['call', '--rpc-url', devnet.url, '--from', BOB, tokenAddress, 'mint(address,uint256)', BOB, '1'])
  assert.match(stderr, /error code 3: execution reverted, data: "0x245aecd3/)
})
