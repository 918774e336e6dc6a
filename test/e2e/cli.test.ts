// The command line as a user meets it: help on every command, the devnet banner with the ten
// funded accounts and their keys, genesis files written and inspected, clear errors without a
// stack trace.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { DEV_MNEMONIC, devAccounts } from '../../genesis/index.ts'
import { startDevnet } from '../support/devnet.ts'
import { until } from '../support/nodes.ts'

const OPAL = new URL('../../bin/opal.js', import.meta.url).pathname
const run = promisify(execFile)

async function opal(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [OPAL, ...args])
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

test('every command has --help naming its flags', async () => {
  const top = await opal('--help')
  assert.equal(top.code, 0)
  for (const cmd of ['node', 'devnet', 'genesis']) assert.match(top.stdout, new RegExp(`\\b${cmd}\\b`))
  const devnet = await opal('devnet', '--help')
  for (const flag of ['--port', '--block-time', '--data-dir', '--chain-id', '--accounts', '--gas-limit', '--nodes', '--attribution-kernel']) assert.ok(devnet.stdout.includes(flag), `devnet --help names ${flag}`)
  const node = await opal('node', '--help')
  for (const flag of ['--genesis', '--sequencer-key', '--follow', '--validator-key', '--bootnodes', '--archive']) assert.ok(node.stdout.includes(flag), `node --help names ${flag}`)
})

test('opal devnet is ready fast and prints the ten accounts with their keys, as Anvil does', async () => {
  const started = Date.now()
  const devnet = await startDevnet({ blockTime: 1 })
  const ready = Date.now() - started
  try {
    // the banner follows the log line that says the node listens
    await until('the banner', () => devnet.output().includes('Chain ID:'), 2_000)
    const out = devnet.output()
    for (const a of devAccounts(10)) {
      assert.ok(out.toLowerCase().includes(a.address), `account ${a.address}`)
      assert.ok(out.includes(a.privateKey), `key of ${a.address}`)
    }
    assert.ok(out.includes(DEV_MNEMONIC))
    assert.match(out, /Chain ID:\s+31337/)
    // the process starts, opens the database, self-tests the attribution kernel and listens
    assert.ok(ready < 10_000, `ready in ${ready} ms`)
  } finally {
    await devnet.stop()
  }
})

test('genesis new writes a file that genesis inspect validates; bad files get a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opal-cli-'))
  const file = join(dir, 'genesis.json')
  assert.equal((await opal('genesis', 'new', '--dev', '--chain-id', '777', '-o', file)).code, 0)
  const inspected = await opal('genesis', 'inspect', file)
  assert.equal(inspected.code, 0)
  const summary = JSON.parse(inspected.stdout) as { chainId: number; accounts: number; initial: Record<string, number> }
  assert.equal(summary.chainId, 777)
  assert.equal(summary.accounts, 11, 'ten dev accounts and the sequencer, funded for settlement gas')
  assert.deepEqual(summary.initial, { servers: 1, escrows: 1, datanets: 1, models: 1, adapters: 1 })
  const bare = await opal('genesis', 'new', '--sequencer', '0x000000000000000000000000000000000000beef')
  assert.equal(bare.code, 0)
  assert.equal(Object.keys((JSON.parse(bare.stdout) as { alloc: object }).alloc).length, 0, 'without --dev nothing is funded')
  const bad = join(dir, 'bad.json')
  writeFileSync(bad, JSON.stringify({ chainId: 1, sequencer: '0x000000000000000000000000000000000000beef', precompiles: { receipts: { split: { contributorsBps: 20000 } } } }))
  const refused = await opal('genesis', 'inspect', bad)
  assert.equal(refused.code, 2)
  assert.match(refused.stderr, /precompiles\.receipts\.split: the shares add up to 24500 basis points/)
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace')
})
