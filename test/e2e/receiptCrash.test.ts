// An acknowledged receipt is never lost and is settled once: receipts accepted, the node killed
// with SIGKILL before a block takes them (blocks every 30 s), restarted on the same data dir —
// each receipt settles exactly once, and the payer is charged exactly once for each.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeEventLog, toHex } from 'viem'
import { devAccount } from '../../genesis/index.ts'
import { DEFAULT_ADDRESSES, RECEIPTS_ABI } from '../../precompiles/index.ts'
import { ReceiptClient } from '../../rpc/client/receipts.ts'
import { rpc, startDevnet } from '../support/devnet.ts'
import { receiptOutcome } from '../support/nodes.ts'

const RECEIPTS = DEFAULT_ADDRESSES.receipts
const PAYER = devAccount(0).address
const FEE = 10n ** 15n // the example adapter's price for 1,000 tokens

const escrow = async (url: string) => BigInt(((await rpc(url, 'opal_getEscrow', [PAYER])).result as { balance: string }).balance)

test('receipts acknowledged before a kill -9 are settled after the restart, exactly once', async () => {
  let devnet = await startDevnet({ blockTime: 30 })
  const before = await escrow(devnet.url)
  const server = new ReceiptClient({ url: devnet.url, account: devAccount(9).privateKey as `0x${string}` })
  const receipts = []
  for (let i = 0; i < 40; i++) {
    const requestId = new Uint8Array(32)
    requestId[31] = i + 1
    receipts.push(await server.sign({
      adapterId: 1n, modelId: 1n, requestId, payer: Uint8Array.from(Buffer.from(PAYER.slice(2), 'hex')),
      inputTokens: 600n, outputTokens: 400n, fee: FEE, sketch: Int8Array.from({ length: 128 }, (_, j) => ((i * 7 + j * 13) % 255) - 127),
    }))
  }
  const answers = await server.submit(receipts)
  const hashes = answers.map((a) => {
    assert.equal(a.status, 'accepted')
    return (a as { hash: string }).hash
  })
  assert.equal(((await rpc(devnet.url, 'opal_getReceipt', [hashes[0]])).result as { status: string }).status, 'pending')
  await devnet.kill9()

  devnet = await startDevnet({ dataDir: devnet.dataDir, blockTime: 1 })
  try {
    const outcomes: Array<{ status: string; blockNumber: string }> = []
    for (const h of hashes) outcomes.push(await receiptOutcome<{ status: string; blockNumber: string }>(devnet.url, h))
    assert.ok(outcomes.every((o) => o.status === 'settled'))
    assert.equal(before - (await escrow(devnet.url)), FEE * BigInt(hashes.length), 'charged once per receipt')
    // the chain's own record: the batch events add up to the receipts, once each
    const logs = (await rpc(devnet.url, 'eth_getLogs', [{ address: RECEIPTS, fromBlock: '0x0', toBlock: 'latest' }])).result as Array<{ topics: `0x${string}`[]; data: `0x${string}` }>
    const settled = logs
      .map((l) => decodeEventLog({ abi: RECEIPTS_ABI, topics: l.topics as [`0x${string}`], data: l.data }))
      .filter((e) => e.eventName === 'BatchSettled')
      .reduce((n, e) => n + (e.args as unknown as { settled: bigint }).settled, 0n)
    assert.equal(settled, BigInt(hashes.length))
    const [again] = await new ReceiptClient({ url: devnet.url, account: devAccount(9).privateKey as `0x${string}` }).submit([receipts[0]])
    assert.deepEqual(again, { status: 'rejected', reason: 'request already settled' })
    assert.equal(((await rpc(devnet.url, 'opal_receiptPoolStatus', [])).result as { pending: string }).pending, toHex(0))
  } finally {
    await devnet.stop()
  }
})
