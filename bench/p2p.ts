// npm run bench:p2p — block propagation over libp2p and catch-up speed, with real node processes
// on loopback.
//  1. propagation: a sequencer and 7 followers; rounds of 1,000 transfers mined into one block;
//     latency = the block's arrival at each follower (gossip validated, before re-execution) minus
//     its publication by the sequencer, from both processes' logs (one machine, one clock). The
//     time to imported (re-executed and stored) is reported beside it.
//  2. catch-up: the sequencer makes 10,000 empty blocks; a new follower starts and syncs them.
//   node bench/p2p.ts [--nodes 8] [--rounds 20] [--txs 1000] [--catchup 10000]
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEV_SEQUENCER_INDEX, devAccount, devAccounts, devGenesis, genesisToJson } from '../genesis/index.ts'
import { Rpc } from './lib/rpc.ts'
import { Signer } from './lib/signer.ts'

const { values: args } = parseArgs({ options: { nodes: { type: 'string', default: '8' }, rounds: { type: 'string', default: '20' }, txs: { type: 'string', default: '1000' }, catchup: { type: 'string', default: '10000' } } })
const NODES = Number(args.nodes)
const ROUNDS = Number(args.rounds)
const TXS = Number(args.txs)
const CATCHUP = Number(args.catchup)
const ROOT = new URL('../', import.meta.url).pathname
const log = (m: string) => process.stderr.write(`${m}\n`)

interface Proc {
  child: ChildProcess
  rpc: Rpc
  url: string
  records: Array<Record<string, unknown>>
  p2p: string
  stop(): Promise<void>
}

const base = mkdtempSync(join(tmpdir(), 'opal-bench-p2p-'))
const genesis = devGenesis({ timestamp: BigInt(Math.floor(Date.now() / 1000)), gasLimit: 60_000_000n })
const genesisPath = join(base, 'genesis.json')
writeFileSync(genesisPath, JSON.stringify(genesisToJson(genesis)))

async function start(name: string, extra: string[]): Promise<Proc> {
  const argv = [join(ROOT, 'bin/opal.js'), 'node', '--data-dir', join(base, name), '--genesis', genesisPath, '--port', '0', '--p2p-port', '0', '--log-format', 'json', '--log-level', 'info', ...extra]
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  const records: Array<Record<string, unknown>> = []
  let buf = ''
  let errors = ''
  child.stderr?.on('data', (d: Buffer) => (errors += d.toString()))
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString()
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      try {
        records.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        // not a log record
      }
    }
  })
  const deadline = Date.now() + 60_000
  for (;;) {
    const listening = records.find((r) => r.msg === 'JSON-RPC listening')
    const p2p = records.find((r) => r.msg === 'p2p listening')
    if (listening !== undefined && p2p !== undefined) {
      const url = listening.http as string
      return {
        child, rpc: new Rpc(url), url, records, p2p: (p2p.addresses as string[])[0],
        stop: async () => {
          if (child.exitCode !== null) return
          const done = new Promise((r) => child.once('exit', r))
          child.kill('SIGTERM')
          await done
        },
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start:\n${errors}\n${records.map((r) => JSON.stringify(r)).join('\n')}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))]
}

const seqKey = devAccount(DEV_SEQUENCER_INDEX).privateKey
const sequencer = await start('sequencer', ['--sequencer-key', seqKey, '--dev', '--block-time', '3600'])
const followers: Proc[] = []
for (let i = 1; i < NODES; i++) followers.push(await start(`follower-${i}`, ['--follow', '--bootnodes', sequencer.p2p]))
log(`${NODES} nodes up; waiting for the mesh`)
await new Promise((r) => setTimeout(r, 3000))

// --- propagation --------------------------------------------------------------------------
const signer = await Signer.create(genesis.chainId)
const keys = devAccounts(10).map((a) => ({ privateKey: Uint8Array.from(Buffer.from(a.privateKey.slice(2), 'hex')), address: a.address }))
const nonces = keys.map(() => 0n)
const heads = async () => Promise.all([sequencer, ...followers].map(async (p) => BigInt(await p.rpc.call<string>('eth_blockNumber'))))
for (let round = 0; round < ROUNDS; round++) {
  const raws: string[] = []
  for (let i = 0; i < TXS; i++) {
    const k = i % keys.length
    raws.push(signer.sign(keys[k], { nonce: nonces[k]++, to: '0x000000000000000000000000000000000000dEaD', value: 1n, gasLimit: 21_000n, maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n }))
  }
  for (let i = 0; i < raws.length; i += 500) {
    const rs = await sequencer.rpc.batch(raws.slice(i, i + 500).map((r) => ['eth_sendRawTransaction', [r]]))
    const bad = rs.find((r) => r.error !== undefined)
    if (bad !== undefined) throw new Error(`rejected: ${bad.error?.message}`)
  }
  // let the machine settle (pool admission) before the block goes out, and poll gently while it
  // propagates: this benchmark shares two cores with eight nodes
  await new Promise((r) => setTimeout(r, 300))
  await sequencer.rpc.call('evm_mine')
  const target = BigInt(await sequencer.rpc.call<string>('eth_blockNumber'))
  const deadline = Date.now() + 60_000
  do {
    await new Promise((r) => setTimeout(r, 250))
    if (Date.now() > deadline) throw new Error('followers did not import the block')
  } while ((await heads()).some((h) => h < target))
}
const published = new Map<number, number>()
for (const r of sequencer.records) if (r.msg === 'block published') published.set(r.number as number, r.at as number)
const arrival: number[] = []
const imported: number[] = []
let txsPerBlock = 0
for (const f of followers) {
  for (const r of f.records) {
    const sent = published.get(r.number as number)
    if (sent === undefined) continue
    if (r.msg === 'block received') arrival.push((r.at as number) - sent)
    if (r.msg === 'block imported' && (r.txs as number) >= TXS) {
      imported.push((r.at as number) - sent)
      txsPerBlock = r.txs as number
    }
  }
}
if (process.env.OPAL_BENCH_VERBOSE !== undefined) {
  for (const [n, sent] of published) {
    const xs = followers.map((f) => f.records.find((r) => r.msg === 'block received' && r.number === n)?.at as number | undefined).filter((x): x is number => x !== undefined).map((x) => (x - sent).toFixed(1))
    log(`block ${n}: ${xs.join(' ')}`)
  }
}
const bytes = sequencer.records.filter((r) => r.msg === 'block published').map((r) => r.bytes as number)
log(`propagation over ${followers.length} followers, ${ROUNDS} blocks of ${txsPerBlock} transactions (${Math.round(percentile(bytes, 0.5) / 1024)} KiB): ` +
  `arrival p50 ${percentile(arrival, 0.5).toFixed(1)} ms, p99 ${percentile(arrival, 0.99).toFixed(1)} ms (${arrival.length} samples); ` +
  `imported p50 ${percentile(imported, 0.5).toFixed(0)} ms, p99 ${percentile(imported, 0.99).toFixed(0)} ms`)

// --- catch-up -----------------------------------------------------------------------------
for (const f of followers) await f.stop()
log(`making ${CATCHUP} empty blocks`)
for (let made = 0; made < CATCHUP; made += 1000) await sequencer.rpc.call('anvil_mine', [`0x${Math.min(1000, CATCHUP - made).toString(16)}`])
const target = BigInt(await sequencer.rpc.call<string>('eth_blockNumber'))
const late = await start('late', ['--follow', '--bootnodes', sequencer.p2p])
const began = Number((late.records.find((r) => r.msg === 'p2p listening')?.time as number) ?? Date.now())
const deadline = Date.now() + 600_000
while (BigInt(await late.rpc.call<string>('eth_blockNumber')) < target) {
  if (Date.now() > deadline) throw new Error('the late node did not catch up')
  await new Promise((r) => setTimeout(r, 100))
}
const last = late.records.filter((r) => r.msg === 'block imported').at(-1)?.at as number
const seconds = (last - began) / 1000
const blocksPerSecond = Number(target) / seconds
log(`catch-up: ${target} blocks in ${seconds.toFixed(1)} s = ${blocksPerSecond.toFixed(0)} blocks/s`)
await late.stop()
await sequencer.stop()
process.stderr.write(`${JSON.stringify({ imported_p50_ms: Math.round(percentile(imported, 0.5)), nodes: NODES, txs_per_block: txsPerBlock })}\n`)
// the last line: exactly the figures the benchmark is defined by
console.log(JSON.stringify({ propagation_p50_ms: Number(percentile(arrival, 0.5).toFixed(2)), propagation_p99_ms: Number(percentile(arrival, 0.99).toFixed(2)), catchup_blocks_per_s: Math.round(blocksPerSecond) }))
