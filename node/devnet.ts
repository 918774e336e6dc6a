// `opal devnet`: a fresh development chain in one command — the standard test accounts funded,
// this process as sequencer, dev methods on, and the accounts printed as Anvil prints them.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getAddress } from 'viem'
import type { Logger } from 'pino'
import {
  DEV_MNEMONIC, DEV_SEQUENCER_INDEX, devAccount, devAccounts, devGenesis, genesisToJson, loadGenesisFile,
} from '../genesis/index.ts'
import type { Genesis } from '../genesis/index.ts'
import type { NodeConfig } from './config.ts'
import { OpalNode } from './node.ts'
import { VERSION } from './version.ts'

export interface DevnetOptions {
  dataDir?: string
  chainId?: bigint
  accounts: number
  balance?: bigint
  gasLimit?: bigint
}

export interface Devnet {
  node: OpalNode
  dataDir: string
  ephemeral: boolean
  genesis: Genesis
  stop(): Promise<void>
}

export async function startDevnet(opts: DevnetOptions, config: Omit<NodeConfig, 'dataDir'>, log: Logger): Promise<Devnet> {
  const ephemeral = opts.dataDir === undefined
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'opal-devnet-')))
  await mkdir(dataDir, { recursive: true })
  const genesis = await devnetGenesis(dataDir, opts, config.blockTime)
  const accounts = devAccounts(opts.accounts)
  const node = await OpalNode.start(
    { ...config, dataDir, dev: true, sequencerKey: devAccount(DEV_SEQUENCER_INDEX).privateKey },
    {
      genesis,
      signers: accounts.map((a) => ({ address: hexBytes(a.address), privateKey: hexBytes(a.privateKey) })),
    },
    log,
  )
  return {
    node,
    dataDir,
    ephemeral,
    genesis,
    async stop() {
      await node.stop()
      if (ephemeral) await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** A devnet data dir keeps its genesis, so a restart with the same --data-dir resumes the chain. */
async function devnetGenesis(dataDir: string, opts: DevnetOptions, blockTime: number | undefined): Promise<Genesis> {
  const path = join(dataDir, 'genesis.json')
  if (existsSync(path)) return loadGenesisFile(path)
  const genesis = devGenesis({ chainId: opts.chainId, accounts: opts.accounts, balance: opts.balance, blockTime, gasLimit: opts.gasLimit })
  await writeFile(path, `${JSON.stringify(genesisToJson(genesis), null, 2)}\n`)
  return genesis
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
}

/** The start-up banner: what a developer needs to point a wallet or script at the devnet. */
export function devnetBanner(d: Devnet, accounts: number): string {
  const list = devAccounts(accounts)
  const token = d.genesis.token
  const balance = (a: string) => {
    const wei = d.genesis.alloc.get(a as `0x${string}`)?.balance ?? 0n
    return `${wei / 10n ** BigInt(token.decimals)} ${token.symbol}`
  }
  const lines = [
    '',
    `opal v${VERSION} — development network`,
    '',
    'Available Accounts',
    '==================',
    ...list.map((a, i) => `(${i}) ${getAddress(a.address)} (${balance(a.address)})`),
    '',
    'Private Keys',
    '==================',
    ...list.map((a, i) => `(${i}) ${a.privateKey}`),
    '',
    'Wallet',
    '==================',
    `Mnemonic:          ${DEV_MNEMONIC}`,
    "Derivation path:   m/44'/60'/0'/0/",
    '',
    `Chain ID:          ${d.genesis.chainId}`,
    `Block time:        ${d.genesis.blockTime === 0 ? 'automine (one block per transaction)' : `${d.genesis.blockTime}s`}`,
    `Sequencer:         ${getAddress(d.genesis.sequencer)}`,
    `Data directory:    ${d.dataDir}${d.ephemeral ? ' (removed on exit)' : ''}`,
    '',
    `Listening on ${d.node.rpc.url} (HTTP) and ${d.node.rpc.wsUrl} (WebSocket)`,
    '',
  ]
  return lines.join('\n')
}
