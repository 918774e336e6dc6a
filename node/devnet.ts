// `opal devnet`: a development chain in one command — the standard test accounts funded, this
// process as sequencer, dev methods on, the accounts printed as Anvil prints them. With
// `--nodes N`, N−1 followers join over libp2p on loopback (the first few of them validators).
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getAddress } from 'viem'
import type { Logger } from 'pino'
import {
  DEV_MNEMONIC, DEV_SEQUENCER_INDEX, DEV_VALIDATOR_FIRST_INDEX, devAccount, devAccounts, devGenesis, genesisToJson, loadGenesisFile,
} from '../genesis/index.ts'
import type { Genesis } from '../genesis/index.ts'
import type { NodeConfig } from './config.ts'
import { OpalNode } from './node.ts'
import { DEFAULT_GRAPH_ID } from '../precompiles/attribution/onnx/defaultGraph.ts'
import { VERSION } from './version.ts'

export interface DevnetOptions {
  dataDir?: string
  chainId?: bigint
  accounts: number
  balance?: bigint
  gasLimit?: bigint
  /** nodes in all: one sequencer and nodes − 1 followers */
  nodes?: number
  /** join the p2p network even as a single node */
  p2p?: boolean
}

export interface Devnet {
  node: OpalNode
  nodes: OpalNode[]
  dataDir: string
  ephemeral: boolean
  genesis: Genesis
  stop(): Promise<void>
}

/** followers that validate: enough for a quorum to matter, few enough for small machines */
export const MAX_DEVNET_VALIDATORS = 3

export async function startDevnet(opts: DevnetOptions, config: Omit<NodeConfig, 'dataDir'>, log: Logger): Promise<Devnet> {
  const ephemeral = opts.dataDir === undefined
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'opal-devnet-')))
  await mkdir(dataDir, { recursive: true })
  const count = Math.max(1, opts.nodes ?? 1)
  const validators = Math.min(count - 1, MAX_DEVNET_VALIDATORS)
  const genesis = await devnetGenesis(dataDir, opts, config.blockTime, validators)
  const accounts = devAccounts(opts.accounts)
  const signers = accounts.map((a) => ({ address: hexBytes(a.address), privateKey: hexBytes(a.privateKey) }))
  const p2p = count > 1 || opts.p2p === true
  const nodes: OpalNode[] = []
  try {
    const sequencer = await OpalNode.start(
      { ...config, dataDir: count > 1 ? join(dataDir, 'node-0') : dataDir, dev: true, p2p, sequencerKey: devAccount(DEV_SEQUENCER_INDEX).privateKey },
      { genesis, signers },
      count > 1 ? log.child({ node: 0 }) : log,
    )
    nodes.push(sequencer)
    const bootnode = sequencer.net?.network.multiaddrs()[0] ?? ''
    for (let i = 1; i < count; i++) {
      nodes.push(
        await OpalNode.start(
          {
            ...config,
            dataDir: join(dataDir, `node-${i}`),
            dev: false,
            follow: true,
            p2p: true,
            port: config.port === 0 ? 0 : config.port + i,
            p2pPort: config.p2pPort === 0 ? 0 : config.p2pPort + i,
            bootnodes: bootnode,
            validatorKey: i <= validators ? devAccount(DEV_VALIDATOR_FIRST_INDEX + i - 1).privateKey : undefined,
          },
          { genesis },
          log.child({ node: i }),
        ),
      )
    }
  } catch (err) {
    for (const n of nodes.reverse()) await n.stop()
    throw err
  }
  return {
    node: nodes[0],
    nodes,
    dataDir,
    ephemeral,
    genesis,
    async stop() {
      for (const n of [...nodes].reverse()) await n.stop()
      if (ephemeral) await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** A devnet data dir keeps its genesis, so a restart with the same --data-dir resumes the chain. */
async function devnetGenesis(dataDir: string, opts: DevnetOptions, blockTime: number | undefined, validators: number): Promise<Genesis> {
  const path = join(dataDir, 'genesis.json')
  if (existsSync(path)) return loadGenesisFile(path)
  const genesis = devGenesis({ chainId: opts.chainId, accounts: opts.accounts, balance: opts.balance, blockTime, gasLimit: opts.gasLimit, validators, defaultGraph: DEFAULT_GRAPH_ID })
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
  ]
  if (d.nodes.length === 1) {
    lines.push(`Listening on ${d.node.rpc.url} (HTTP) and ${d.node.rpc.wsUrl} (WebSocket)`, '')
  } else {
    lines.push('Nodes', '==================')
    d.nodes.forEach((n, i) => {
      const role = i === 0 ? 'sequencer' : n.config.validatorKey !== undefined ? 'validator' : 'follower'
      lines.push(`(${i}) ${role.padEnd(9)} ${n.rpc.url}  ${n.rpc.wsUrl}  ${n.net?.network.multiaddrs()[0] ?? ''}`)
    })
    lines.push('', `Validators:        ${d.genesis.validators.length} (a block is safe with ${d.genesis.validatorQuorum} attestations)`, '')
  }
  return lines.join('\n')
}
