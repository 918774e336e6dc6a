// npm run bench:registry — adapter lookups per second with 100,000 registered adapters: over
// JSON-RPC (opal_getAdapters, 100 ids per call) and inside the EVM (getAdapters(100 ids) run by
// the chain's call executor), plus the state size on disk.
//   node bench/registry.ts [--adapters 100000] [--seconds 5]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { decodeFunctionResult, encodeFunctionData } from 'viem'
import { Chain, loadCrypto } from '../chain/index.ts'
import { CallExecutor } from '../chain/call.ts'
import { devAccount, devGenesis, genesisToJson } from '../genesis/index.ts'
import { createPrecompileParts } from '../node/precompiles.ts'
import { ADAPTER_ABI } from '../precompiles/index.ts'
import { startOpal } from './lib/processes.ts'

const { values: args } = parseArgs({ options: { adapters: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '5' } } })
const N = Number(args.adapters)
const SECONDS = Number(args.seconds)
const ADAPTERS = '0x4f50414c00000000000000000000000000000003'
const log = (m: string) => process.stderr.write(`${m}\n`)

// a devnet genesis whose example model has N adapters
const owner = devAccount(0).address
const genesis = devGenesis({ timestamp: 1_764_000_000n })
const precompiles = genesis.precompiles as { initial: { adapters: unknown[] } }
precompiles.initial.adapters = Array.from({ length: N }, (_, i) => ({
  modelId: 1,
  owner,
  weightsHash: `0x${(i + 1).toString(16).padStart(64, '0')}`,
  weightsURI: `ipfs://adapter-${i}`,
  rank: 16,
  targetModules: 'q_proj,v_proj',
  pricePerKTokens: String(1000 + i),
}))
const dataDir = mkdtempSync(join(tmpdir(), 'opal-bench-registry-'))
writeFileSync(join(dataDir, 'genesis.json'), JSON.stringify(genesisToJson(genesis)))
log(`genesis with ${N} adapters written; starting the node (builds the genesis state)`)
const t0 = performance.now()
const node = await startOpal(['--block-time', '1'], dataDir)
log(`node ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

let seed = 1
const randomIds = () => Array.from({ length: 100 }, () => BigInt(1 + ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % N)))

async function measure(work: () => Promise<void>, concurrency: number): Promise<number> {
  let calls = 0
  const deadline = performance.now() + SECONDS * 1000
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await work()
      calls++
    }
  }))
  return (calls * 100) / ((performance.now() - started) / 1000)
}

// over JSON-RPC: named-field objects straight from state
const sample = (await node.rpc.call<Array<{ id: string; pricePerKTokens: string } | null>>('opal_getAdapters', [randomIds().map((i) => `0x${i.toString(16)}`)]))
if (sample.some((a) => a === null)) throw new Error('a registered adapter was not found')
const rpcRate = await measure(async () => {
  const r = await node.rpc.call<unknown[]>('opal_getAdapters', [randomIds().map((i) => `0x${i.toString(16)}`)])
  if (r.length !== 100) throw new Error('short answer')
}, 4)
log(`RPC: ${rpcRate.toFixed(0)} adapter lookups/s (opal_getAdapters, 100 ids per call, 4 in flight)`)
// eth_call of the precompile, for comparison (EVM + RPC)
const ethCallRate = await measure(async () => {
  await node.rpc.call('eth_call', [{ to: ADAPTERS, data: encodeFunctionData({ abi: ADAPTER_ABI, functionName: 'getAdapters', args: [randomIds()] }) }, 'latest'])
}, 4)
log(`eth_call: ${ethCallRate.toFixed(0)} adapter lookups/s (getAdapters through the EVM, over RPC)`)
await node.stop({ keepData: true })

// inside the EVM: the chain's call executor on the same database, no RPC
const crypto = await loadCrypto()
const pre = await createPrecompileParts(genesis, crypto, { kernel: 'auto', threads: 2 })
const chain = await Chain.open({ dataDir, genesis, crypto, extensions: pre.precompiles })
const calls = new CallExecutor(chain)
const check = await calls.call({ to: Uint8Array.from(Buffer.from(ADAPTERS.slice(2), 'hex')), data: hexBytes(encodeFunctionData({ abi: ADAPTER_ABI, functionName: 'getAdapters', args: [[1n, BigInt(N)]] })) }, chain.head)
const decoded = decodeFunctionResult({ abi: ADAPTER_ABI, functionName: 'getAdapters', data: `0x${Buffer.from(check.returnValue).toString('hex')}` }) as Array<{ pricePerKTokens: bigint }>
if (decoded[1].pricePerKTokens !== BigInt(1000 + N - 1)) throw new Error('wrong adapter returned from the EVM')
const evmLookup = async () => {
  const r = await calls.call({ to: Uint8Array.from(Buffer.from(ADAPTERS.slice(2), 'hex')), data: hexBytes(encodeFunctionData({ abi: ADAPTER_ABI, functionName: 'getAdapters', args: [randomIds()] })) }, chain.head)
  if (!r.success) throw new Error(`getAdapters failed: ${r.error}`)
}
const evmCold = await measure(evmLookup, 1)
log(`EVM, first ${SECONDS} s on a freshly opened database: ${evmCold.toFixed(0)} adapter lookups/s`)
const evmRate = await measure(evmLookup, 1)
log(`EVM: ${evmRate.toFixed(0)} adapter lookups/s (getAdapters(100 ids) executed in-process, gas ${check.gasUsed} for 2 ids)`)
await chain.close()
await pre.close()
// the database alone: the data dir also holds the genesis file the node was started from
const dbBytes = readdirSync(dataDir).filter((f) => f !== 'genesis.json' && f !== 'p2p-key').reduce((n, f) => n + statSync(join(dataDir, f)).size, 0)
log(`state on disk: ${(dbBytes / 1e6).toFixed(1)} MB for ${N} adapters`)
execFileSync('rm', ['-rf', dataDir])
// the last line: exactly the figures the benchmark is defined by (eth_call's rate is logged above)
console.log(JSON.stringify({ rpc_lookups_per_s: Math.round(rpcRate), evm_lookups_per_s: Math.round(evmRate), adapters: N, db_bytes: dbBytes }))

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
}
