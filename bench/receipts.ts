// npm run bench:receipts — inference receipts per second, from submission to settlement.
//
// A devnet whose genesis holds a Datanet of 100,000 accepted contributions (clustered 128-byte
// sketches, bench/lib/sketches.ts), a model citing its version scored in the `indexed` mode, an
// adapter, a staked inference server and a funded payer. This process (not the node) signs the
// receipts (untimed), then submits them as RLP batches with a few requests in flight and times
// from the first submission until the chain's own totals count every receipt settled.
//   node bench/receipts.ts [--receipts 20000] [--contributions 100000] [--batch 2000] [--inflight 3]
//                          [--mode indexed|exact] [--gas-limit 4000000000]
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { decodeFunctionResult, encodeFunctionData, toHex } from 'viem'
import { loadCrypto } from '../chain/crypto.ts'
import { DEV_SERVER_INDEX, devAccount, devExamplePrecompiles, devGenesis, genesisToJson } from '../genesis/index.ts'
import { DEFAULT_GRAPH_ID } from '../precompiles/attribution/onnx/defaultGraph.ts'
import { ATTRIBUTION_ABI, DEFAULT_ADDRESSES, RECEIPTS_ABI } from '../precompiles/index.ts'
import { domainSeparator, encodeReceiptBatch, receiptDigest } from '../precompiles/receipts/format.ts'
import type { SignedReceipt } from '../precompiles/receipts/format.ts'
import { clusteredSketches } from './lib/sketches.ts'
import { startOpal } from './lib/processes.ts'
import { Signer } from './lib/signer.ts'

const { values: args } = parseArgs({
  options: {
    receipts: { type: 'string', default: process.env.BENCH_RECEIPTS ?? '20000' },
    contributions: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '2000' },
    inflight: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'indexed' },
    'gas-limit': { type: 'string', default: '4000000000' },
  },
})
const RECEIPTS = Number(args.receipts)
const N = Number(args.contributions)
const BATCH = Number(args.batch)
const INFLIGHT = Number(args.inflight)
const DIM = 128
const CHAIN_ID = 31337n
const PRICE = 1_000_000_000_000n // wei per 1,000 tokens
const { receipts: RECEIPTS_ADDRESS, attribution: ATTRIBUTION_ADDRESS } = DEFAULT_ADDRESSES
const log = (m: string) => process.stderr.write(`${m}\n`)
const crypto = await loadCrypto()
const hexBytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'))

// ── the chain: a genesis with the Datanet, model, adapter, server and escrow ────────────────────
const data = clusteredSketches({ n: N, dim: DIM, seed: 2026 })
const owner = devAccount(0).address
const payer = devAccount(0).address
const server = devAccount(DEV_SERVER_INDEX)
const contributors = Array.from({ length: 1000 }, (_, i) => `0x${Buffer.from(crypto.keccak256(new TextEncoder().encode(`contributor ${i}`))).subarray(12).toString('hex')}`)
const graph = DEFAULT_GRAPH_ID
const example = devExamplePrecompiles(graph) as Record<string, unknown>
const genesis = devGenesis({
  timestamp: BigInt(Math.floor(Date.now() / 1000)),
  gasLimit: BigInt(args['gas-limit']),
  defaultGraph: graph,
  precompiles: {
    ...example,
    initial: {
      datanets: [{
        owner, name: 'bench', sketchDim: DIM, curators: [devAccount(1).address], quorum: 1, publish: true,
        contributions: Array.from({ length: N }, (_, i) => ({
          contributor: contributors[i % contributors.length],
          contentHash: toHex(crypto.keccak256(new TextEncoder().encode(`content ${i}`))),
          sketch: toHex(new Uint8Array(data.rows.buffer, i * DIM, DIM)),
        })),
      }],
      models: [{ owner, baseModel: 'bench', name: 'bench-model', datanetVersions: [{ datanetId: 1, version: 1 }] }],
      adapters: [{ modelId: 1, owner, pricePerKTokens: PRICE.toString() }],
      servers: [{ operator: server.address, signer: server.address, endpoint: 'http://127.0.0.1:8000', stake: (100n * 10n ** 18n).toString() }],
      escrows: [{ payer, amount: (1000n * 10n ** 18n).toString() }],
    },
  },
})
const dataDir = mkdtempSync(join(tmpdir(), 'opal-bench-receipts-'))
writeFileSync(join(dataDir, 'genesis.json'), JSON.stringify(genesisToJson(genesis)))
log(`genesis with ${N} contributions written; starting the node`)
const t0 = performance.now()
const node = await startOpal(['--block-time', '1'], dataDir)
log(`node ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

try {
  // the model is scored through the index (or exhaustively, with --mode exact)
  const signer = await Signer.create(CHAIN_ID)
  const ownerKey = { privateKey: hexBytes(devAccount(0).privateKey), address: owner }
  const nonce = BigInt(await node.rpc.call<string>('eth_getTransactionCount', [owner, 'pending']))
  const mode = args.mode === 'exact' ? 1 : 2
  const configure = signer.sign(ownerKey, {
    nonce, to: ATTRIBUTION_ADDRESS, gasLimit: 200_000n, maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n,
    data: hexBytes(encodeFunctionData({ abi: ATTRIBUTION_ABI, functionName: 'configureModel', args: [1n, 32, mode] })),
  })
  const configured = await node.rpc.call<string>('eth_sendRawTransaction', [configure])
  // mined before the warm-up receipt, so that receipt builds the candidate set of this mode
  while ((await node.rpc.call('eth_getTransactionReceipt', [configured])) === null) await new Promise((r) => setTimeout(r, 50))

  // receipts signed here, untimed
  const separator = domainSeparator(CHAIN_ID, hexBytes(RECEIPTS_ADDRESS), crypto.keccak256)
  const queries = data.queries(RECEIPTS + 1, 7)
  const key = hexBytes(server.privateKey)
  const now = BigInt(Math.floor(Date.now() / 1000))
  const receipts: SignedReceipt[] = []
  for (let i = 0; i <= RECEIPTS; i++) {
    const requestId = new Uint8Array(32)
    new DataView(requestId.buffer).setUint32(28, i + 1)
    const r = {
      chainId: CHAIN_ID, adapterId: 1n, modelId: 1n, requestId, payer: hexBytes(payer), inputTokens: 700n, outputTokens: 300n, fee: PRICE,
      issuedAt: now, expiry: now + 3000n, sketch: queries.subarray(i * DIM, (i + 1) * DIM), spans: [],
    }
    const { signature, recid } = crypto.ecdsaSign(receiptDigest(r, separator, crypto.keccak256), key)
    const sig = new Uint8Array(65)
    sig.set(signature)
    sig[64] = recid + 27
    receipts.push({ ...r, signature: sig })
  }
  log(`${RECEIPTS} receipts signed`)

  const totals = async () => {
    const raw = await node.rpc.call<`0x${string}`>('eth_call', [{ to: RECEIPTS_ADDRESS, data: encodeFunctionData({ abi: RECEIPTS_ABI, functionName: 'totals' }) }, 'latest'])
    return (decodeFunctionResult({ abi: RECEIPTS_ABI, functionName: 'totals', data: raw }) as [bigint, bigint])[0]
  }
  const submit = async (list: SignedReceipt[]) => {
    const answers = await node.rpc.call<Array<{ status: string; reason?: string }>>('opal_submitReceiptBatch', [toHex(encodeReceiptBatch(list))])
    const refused = answers.filter((a) => a.status !== 'accepted')
    if (refused.length > 0) throw new Error(`${refused.length} receipts refused: ${refused[0].reason}`)
  }
  const settledCount = async (want: bigint) => {
    for (;;) {
      const n = await totals()
      if (n >= want) return n
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  // warm-up, untimed: the first receipt makes the node build the candidate set from state
  const w0 = performance.now()
  await submit(receipts.slice(0, 1))
  await settledCount(1n)
  log(`warm-up: the first receipt settled in ${((performance.now() - w0) / 1000).toFixed(1)} s (the candidate set of ${N} contributions and its index built)`)

  const timed = receipts.slice(1)
  const start = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: INFLIGHT }, async () => {
    while (next < timed.length) {
      const part = timed.slice(next, next + BATCH)
      next += BATCH
      await submit(part)
    }
  }))
  const submitted = performance.now()
  const settled = await settledCount(BigInt(RECEIPTS + 1))
  const seconds = (performance.now() - start) / 1000
  if (settled !== BigInt(RECEIPTS + 1)) throw new Error(`settled ${settled}, expected ${RECEIPTS + 1}`)
  const escrow = await node.rpc.call<{ balance: string }>('opal_getEscrow', [payer])
  if (1000n * 10n ** 18n - BigInt(escrow.balance) !== PRICE * BigInt(RECEIPTS + 1)) throw new Error('the escrow was not charged once per receipt')
  const rate = Math.round(RECEIPTS / seconds)
  log(`submitted in ${((submitted - start) / 1000).toFixed(2)} s (${Math.round(RECEIPTS / ((submitted - start) / 1000))}/s acknowledged); all settled after ${seconds.toFixed(2)} s`)
  log(`${rate} receipts/s settled (${args.mode} mode, ${N} contributions, every receipt paid once, escrow checked)`)
  // the last line: exactly the figures the benchmark is defined by
  process.stdout.write(`${JSON.stringify({ receipts_per_s: rate, receipts: RECEIPTS, contributions: N })}\n`)
} finally {
  await node.stop()
}
