// Crash safety: kill -9 under load, restart on the same data dir. The head, its state root and
// every transaction seen mined are still there; every transaction acknowledged (hash returned)
// before the kill is mined after the restart. A clean SIGTERM exits 0 and resumes at its head.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { privateKeyToAccount } from 'viem/accounts'
import { parseGwei } from 'viem'
import { DEV_KEYS } from '../support/contracts.ts'
import { rpc, startDevnet } from '../support/devnet.ts'
import { until } from '../support/nodes.ts'

const DEAD = '0x000000000000000000000000000000000000dEaD'

async function signedTransfers(count: number): Promise<`0x${string}`[]> {
  const raws: `0x${string}`[] = []
  for (let i = 0; i < count; i++) {
    const key = DEV_KEYS[i % DEV_KEYS.length]
    raws.push(await privateKeyToAccount(key).signTransaction({ type: 'eip1559', chainId: 31337, nonce: Math.floor(i / DEV_KEYS.length), to: DEAD, value: 1n, gas: 21_000n, maxFeePerGas: parseGwei('5'), maxPriorityFeePerGas: 1n }))
  }
  return raws
}

test('kill -9 mid-load: committed blocks, their state and every acknowledged transaction survive', async () => {
  const raws = await signedTransfers(400)
  let devnet = await startDevnet({ blockTime: 1 })
  const acknowledged: string[] = []
  let sent = 0
  // a stream of small batches, about 100 transactions a second
  const stream = (async () => {
    while (sent < raws.length) {
      const batch = raws.slice(sent, sent + 10)
      sent += batch.length
      const res = await fetch(devnet.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch.map((r, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [r] }))),
      }).catch(() => undefined)
      if (res === undefined) return
      const answers = (await res.json().catch(() => [])) as Array<{ result?: string }>
      for (const a of answers) if (typeof a.result === 'string') acknowledged.push(a.result)
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  // wait until a few blocks are made, then note what is mined and kill in the middle of the stream
  let head = 0n
  while (head < 2n) {
    await new Promise((r) => setTimeout(r, 200))
    head = BigInt((await rpc(devnet.url, 'eth_blockNumber')).result as string)
  }
  const seenHead = (await rpc(devnet.url, 'eth_getBlockByNumber', ['latest', false])).result as { number: string; hash: string; stateRoot: string }
  const minedBefore: Array<{ hash: string; blockHash: string }> = []
  for (const h of acknowledged.slice()) {
    const r = (await rpc(devnet.url, 'eth_getTransactionReceipt', [h])).result as { blockHash: string } | null
    if (r !== null) minedBefore.push({ hash: h, blockHash: r.blockHash })
  }
  await devnet.kill9()
  await stream
  assert.ok(minedBefore.length > 0, 'some transactions were mined before the kill')
  assert.ok(acknowledged.length > minedBefore.length, 'some acknowledged transactions were not yet mined at the kill')

  devnet = await startDevnet({ dataDir: devnet.dataDir, blockTime: 1 })
  try {
    const again = (await rpc(devnet.url, 'eth_getBlockByNumber', [seenHead.number, false])).result as { hash: string; stateRoot: string }
    assert.equal(again.hash, seenHead.hash)
    assert.equal(again.stateRoot, seenHead.stateRoot)
    for (const m of minedBefore) {
      const r = (await rpc(devnet.url, 'eth_getTransactionReceipt', [m.hash])).result as { blockHash: string; status: string }
      assert.equal(r.blockHash, m.blockHash)
      assert.equal(r.status, '0x1')
    }
    // acknowledged but unmined transactions come back from the journal and are mined
    const deadline = Date.now() + 15_000
    let missing = acknowledged
    while (missing.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500))
      const still: string[] = []
      for (const h of missing) if ((await rpc(devnet.url, 'eth_getTransactionReceipt', [h])).result === null) still.push(h)
      missing = still
    }
    assert.deepEqual(missing, [], `${missing.length} acknowledged transactions were lost`)
  } finally {
    await devnet.stop()
  }
})

test('SIGTERM stops cleanly (exit 0) and a restart resumes at the same head', async () => {
  let devnet = await startDevnet({ blockTime: 0 })
  try {
    const raws = await signedTransfers(8)
    for (const r of raws) assert.equal((await rpc(devnet.url, 'eth_sendRawTransaction', [r])).error, undefined)
    // automine: one block per transaction, as fast as the machine makes them
    await until('eight blocks', async () => BigInt((await rpc(devnet.url, 'eth_blockNumber')).result as string) >= 8n, 10_000)
    const head = (await rpc(devnet.url, 'eth_getBlockByNumber', ['latest', false])).result as { number: string; hash: string }
    assert.ok(BigInt(head.number) >= 8n)
    assert.equal(await devnet.stop(), 0)
    assert.match(devnet.output(), /"msg":"stopped"/)
    devnet = await startDevnet({ dataDir: devnet.dataDir, blockTime: 0 })
    const again = (await rpc(devnet.url, 'eth_getBlockByNumber', ['latest', false])).result as { number: string; hash: string }
    assert.deepEqual(again, head)
    assert.equal(await devnet.stop(), 0)
  } finally {
    await devnet.stop()
  }
})
