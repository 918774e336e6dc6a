// Child processes for benchmarks: an opal devnet and an Anvil node on free ports, fresh data dirs.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Rpc } from './rpc.ts'

const ROOT = new URL('../../', import.meta.url).pathname

export interface Running {
  name: string
  url: string
  rpc: Rpc
  stop(opts?: { keepData?: boolean }): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

async function waitReady(rpc: Rpc, child: ChildProcess, name: string, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early (${child.exitCode}):\n${log()}`)
    try {
      await rpc.call('eth_chainId')
      return
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  throw new Error(`${name} did not start:\n${log()}`)
}

function stopper(child: ChildProcess, dir?: string): (opts?: { keepData?: boolean }) => Promise<void> {
  return async (opts = {}) => {
    if (child.exitCode === null) {
      const done = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    if (dir !== undefined && opts.keepData !== true) rmSync(dir, { recursive: true, force: true })
  }
}

export async function startOpal(args: string[] = [], dataDir?: string): Promise<Running> {
  const port = await freePort()
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'opal-bench-'))
  let out = ''
  // OPAL_NODE_ARGS passes flags to the node process, e.g. --cpu-prof for a profile
  const nodeArgs = (process.env.OPAL_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0)
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin/opal.js'), 'devnet', '--port', String(port), '--data-dir', dir, '--log-format', 'json', '--log-level', process.env.OPAL_BENCH_LOG_LEVEL ?? 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)))
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)))
  if (process.env.OPAL_BENCH_LOG !== undefined) child.stdout?.pipe(createWriteStream(process.env.OPAL_BENCH_LOG))
  const url = `http://127.0.0.1:${port}`
  const rpc = new Rpc(url)
  await waitReady(rpc, child, 'opal', () => out, 600_000)
  return { name: 'opal', url, rpc, stop: stopper(child, dir) }
}

export async function startAnvil(args: string[] = []): Promise<Running> {
  const port = await freePort()
  let out = ''
  const child = spawn(join(ROOT, 'node_modules/.bin/anvil'), ['--port', String(port), '--silent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)))
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)))
  const url = `http://127.0.0.1:${port}`
  const rpc = new Rpc(url)
  await waitReady(rpc, child, 'anvil', () => out)
  return { name: 'anvil', url, rpc, stop: stopper(child) }
}
