// Test harness: `opal devnet` as a real child process on a free port, with a persistent data dir
// so it can be killed (-9 or SIGTERM) and restarted on the same chain.
import { spawn } from 'node:child_process'
import { after } from 'node:test'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export { rpc } from './rpc.ts'

const ROOT = new URL('../../', import.meta.url).pathname

export interface DevnetProcess {
  url: string
  wsUrl: string
  dataDir: string
  child: ChildProcess
  /** everything the process printed so far */
  output(): string
  /** SIGTERM and wait; resolves to the exit code */
  stop(): Promise<number | null>
  kill9(): Promise<void>
}

export interface DevnetArgs {
  dataDir?: string
  blockTime?: number
  archive?: boolean
  extra?: string[]
}

// a test that fails before it stops its devnet must not leave the process (and the test file)
// hanging: once the file's tests and hooks are done, whatever devnet is still running is killed
// (the timer is unref'd: it fires only if a devnet's pipes are what keeps the process alive)
const live = new Set<ChildProcess>()
after(() => {
  setTimeout(() => {
    for (const c of live) c.kill('SIGKILL')
  }, 5_000).unref()
})

export async function startDevnet(args: DevnetArgs = {}): Promise<DevnetProcess> {
  const dataDir = args.dataDir ?? mkdtempSync(join(tmpdir(), 'opal-e2e-'))
  const argv = [join(ROOT, 'bin/opal.js'), 'devnet', '--port', '0', '--data-dir', dataDir, '--log-format', 'json', '--block-time', String(args.blockTime ?? 0)]
  if (args.archive === true) argv.push('--archive')
  argv.push(...(args.extra ?? []))
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  child.once('exit', () => live.delete(child))
  let out = ''
  const listening = new Promise<{ http: string; ws: string }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString()
      for (const line of out.split('\n')) {
        if (!line.includes('"JSON-RPC listening"')) continue
        const rec = JSON.parse(line) as { http: string; ws: string }
        resolve(rec)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
    child.once('exit', (code) => reject(new Error(`opal devnet exited (${code}) before listening:\n${out}`)))
    setTimeout(() => reject(new Error(`opal devnet did not start within 20 s:\n${out}`)), 20_000).unref()
  })
  const { http, ws } = await listening
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    url: http,
    wsUrl: ws,
    dataDir,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode
      child.kill('SIGTERM')
      return exited
    },
    async kill9() {
      if (child.exitCode !== null) return
      child.kill('SIGKILL')
      await exited
    },
  }
}
