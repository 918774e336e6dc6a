// npm run bench:tps — ERC-20 transfers per second, opal against Anvil on the same machine.
//
// For each node: deploy an ERC-20, fund S senders with OPEN (the gas token) and tokens, pre-sign
// N transfers (untimed), then submit them in JSON-RPC batches with a few requests in flight and
// time from the first submit to the block holding the last transfer. Every receipt is checked for
// success and the token balances are checked to add up, so failures cannot pass as throughput.
//   node bench/tps.ts [--txs 30000] [--senders 200] [--batch 1000] [--inflight 4] [--only opal|anvil]
//                     [--gas-limit 30000000]  (both nodes; at 30M a block holds ~880 transfers)
import { parseArgs } from 'node:util'
import { encodeDeployData, encodeFunctionData, decodeFunctionResult } from 'viem'
import { compileSolidity } from '../test/support/solc.ts'
import { startAnvil, startOpal } from './lib/processes.ts'
import type { Running } from './lib/processes.ts'
import { Signer, keyFrom } from './lib/signer.ts'
import type { Key } from './lib/signer.ts'

const { values: args } = parseArgs({
  options: {
    txs: { type: 'string', default: process.env.BENCH_TXS ?? '30000' },
    senders: { type: 'string', default: '200' },
    batch: { type: 'string', default: '1000' },
    inflight: { type: 'string', default: '4' },
    only: { type: 'string' },
    'gas-limit': { type: 'string', default: '30000000' },
  },
})
const TXS = Number(args.txs)
const SENDERS = Number(args.senders)
const BATCH = Number(args.batch)
const INFLIGHT = Number(args.inflight)
const CHAIN_ID = 31337n
const GWEI = 1_000_000_000n
// dev account 0 of the standard test mnemonic, funded on both nodes
const FUNDER: Key = {
  privateKey: Uint8Array.from(Buffer.from('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', 'hex')),
  address: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
}

const token = compileSolidity(new URL('./contracts/BenchToken.sol', import.meta.url).pathname, 'BenchToken')
const signer = await Signer.create(CHAIN_ID)
const log = (msg: string) => process.stderr.write(`${msg}\n`)

async function waitMined(node: Running, hashes: string[]): Promise<void> {
  for (;;) {
    const rs = await node.rpc.batch(hashes.map((h) => ['eth_getTransactionReceipt', [h]]))
    const missing = rs.filter((r) => r.result === null || r.result === undefined).length
    const failed = rs.filter((r) => r.result !== null && (r.result as { status: string } | undefined)?.status === '0x0').length
    if (failed > 0) throw new Error(`${node.name}: ${failed} set-up transactions failed`)
    if (missing === 0) return
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function send(node: Running, raws: string[]): Promise<string[]> {
  const hashes: string[] = []
  for (let i = 0; i < raws.length; i += BATCH) {
    const rs = await node.rpc.batch(raws.slice(i, i + BATCH).map((r) => ['eth_sendRawTransaction', [r]]))
    for (const r of rs) {
      if (r.error !== undefined) throw new Error(`${node.name}: ${r.error.message}`)
      hashes.push(r.result as string)
    }
  }
  return hashes
}

async function run(node: Running): Promise<{ tps: number; seconds: number }> {
  const fees = { maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: GWEI }
  const funderNonce = BigInt(await node.rpc.call<string>('eth_getTransactionCount', [FUNDER.address, 'pending']))
  const deploy = signer.sign(FUNDER, {
    nonce: funderNonce,
    to: undefined as unknown as `0x${string}`,
    data: hexBytes(encodeDeployData({ abi: token.abi, bytecode: token.bytecode, args: [10n ** 30n] })),
    gasLimit: 2_000_000n,
    ...fees,
  })
  const [deployHash] = await send(node, [deploy])
  await waitMined(node, [deployHash])
  const receipt = await node.rpc.call<{ contractAddress: `0x${string}` }>('eth_getTransactionReceipt', [deployHash])
  const tokenAddress = receipt.contractAddress
  const senders = Array.from({ length: SENDERS }, (_, i) => keyFrom(`opal-bench-${node.name}`, i, signer.crypto))
  const perSender = Math.ceil(TXS / SENDERS)
  const setup: string[] = []
  let n = funderNonce + 1n
  for (const s of senders) {
    setup.push(signer.sign(FUNDER, { nonce: n++, to: s.address, value: 10n ** 18n, gasLimit: 21_000n, ...fees }))
    setup.push(signer.sign(FUNDER, { nonce: n++, to: tokenAddress, data: hexBytes(encodeFunctionData({ abi: token.abi, functionName: 'transfer', args: [s.address, BigInt(perSender) * 10n ** 18n] })), gasLimit: 100_000n, ...fees }))
  }
  await waitMined(node, await send(node, setup))
  log(`${node.name}: token ${tokenAddress}, ${SENDERS} senders funded; signing ${TXS} transfers`)

  const raws: string[] = []
  const recipient = (i: number) => `0x${(0x1000 + i).toString(16).padStart(40, '0')}` as `0x${string}`
  for (let k = 0; k < perSender && raws.length < TXS; k++) {
    for (let i = 0; i < SENDERS && raws.length < TXS; i++) {
      const data = hexBytes(encodeFunctionData({ abi: token.abi, functionName: 'transfer', args: [recipient(i), 10n ** 18n] }))
      raws.push(signer.sign(senders[i], { nonce: BigInt(k), to: tokenAddress, data, gasLimit: 60_000n, ...fees }))
    }
  }
  const startBlock = BigInt(await node.rpc.call<string>('eth_blockNumber'))
  log(`${node.name}: submitting from block ${startBlock}`)

  const started = performance.now()
  const batches: string[][] = []
  for (let i = 0; i < raws.length; i += BATCH) batches.push(raws.slice(i, i + BATCH))
  let next = 0
  const hashes: string[] = new Array(raws.length)
  const worker = async () => {
    while (next < batches.length) {
      const b = next++
      const rs = await node.rpc.batch(batches[b].map((r) => ['eth_sendRawTransaction', [r]]))
      rs.forEach((r, j) => {
        if (r.error !== undefined) throw new Error(`${node.name}: rejected: ${r.error.message}`)
        hashes[b * BATCH + j] = r.result as string
      })
    }
  }
  const submitting = Promise.all(Array.from({ length: INFLIGHT }, worker))
  // count mined transfers block by block until all are in
  let mined = 0
  let scanned = startBlock
  let finished = 0
  while (mined < raws.length) {
    const head = BigInt(await node.rpc.call<string>('eth_blockNumber'))
    if (head > scanned) {
      const counts = await node.rpc.batch(Array.from({ length: Number(head - scanned) }, (_, i) => ['eth_getBlockTransactionCountByNumber', [`0x${(scanned + 1n + BigInt(i)).toString(16)}`]]))
      for (const c of counts) mined += Number(c.result)
      scanned = head
      finished = performance.now()
    } else {
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  await submitting
  const seconds = (finished - started) / 1000
  const submitted = performance.now()
  void submitted

  // verification (untimed): every transfer succeeded, balances add up
  let ok = 0
  for (let i = 0; i < hashes.length; i += 1000) {
    const rs = await node.rpc.batch(hashes.slice(i, i + 1000).map((h) => ['eth_getTransactionReceipt', [h]]))
    for (const r of rs) if ((r.result as { status: string } | null)?.status === '0x1') ok++
  }
  if (ok !== raws.length) throw new Error(`${node.name}: only ${ok} of ${raws.length} transfers succeeded`)
  const balanceCalls = Array.from({ length: SENDERS }, (_, i) => ['eth_call', [{ to: tokenAddress, data: encodeFunctionData({ abi: token.abi, functionName: 'balanceOf', args: [recipient(i)] }) }, 'latest']] as [string, unknown[]])
  const balances = (await node.rpc.batch(balanceCalls)).map((r) => decodeFunctionResult({ abi: token.abi, functionName: 'balanceOf', data: r.result as `0x${string}` }) as bigint)
  const total = balances.reduce((a, b) => a + b, 0n)
  if (total !== BigInt(raws.length) * 10n ** 18n) throw new Error(`${node.name}: recipients hold ${total}, expected ${BigInt(raws.length) * 10n ** 18n}`)
  const tps = raws.length / seconds
  log(`${node.name}: ${raws.length} transfers in ${seconds.toFixed(2)} s = ${tps.toFixed(0)} tx/s (all succeeded, balances verified)`)
  return { tps, seconds }
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
}

const results: Record<string, number> = {}
const gasLimit = args['gas-limit']
for (const [name, start] of [['opal', () => startOpal(['--block-time', '1', '--gas-limit', gasLimit])], ['anvil', () => startAnvil(['--block-time', '1', '--gas-limit', gasLimit])]] as const) {
  if (args.only !== undefined && args.only !== name) continue
  const node = await start()
  try {
    results[name] = (await run(node)).tps
  } finally {
    await node.stop()
  }
}
const opal = results.opal ?? 0
const anvil = results.anvil ?? 0
console.log(`opal: ${opal.toFixed(0)} tx/s   anvil: ${anvil.toFixed(0)} tx/s   ratio: ${anvil > 0 ? (opal / anvil).toFixed(3) : 'n/a'}`)
log(`block gas limit ${gasLimit} on both nodes`)
// the last line: exactly the figures the benchmark is defined by
console.log(JSON.stringify({ opal_tps: Math.round(opal), anvil_tps: Math.round(anvil), ratio: anvil > 0 ? Number((opal / anvil).toFixed(3)) : null, txs: TXS }))
