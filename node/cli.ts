// The `opal` command line: `opal node`, `opal devnet`, `opal genesis`.
import { writeFile } from 'node:fs/promises'
import { Command, InvalidArgumentError, Option } from 'commander'
import { ConfigError, DEFAULT_CONFIG, fromEnv, fromFile, mergeConfig, validateConfig } from './config.ts'
import type { NodeConfig } from './config.ts'
import { devnetBanner, startDevnet } from './devnet.ts'
import { createLogger } from './logger.ts'
import { OpalNode } from './node.ts'
import { DEFAULT_GRAPH_ID } from '../precompiles/attribution/onnx/defaultGraph.ts'
import { createAddressFromString } from '@ethereumjs/util'
import { PrecompileSettingsError, parsePrecompileSettings } from '../precompiles/index.ts'
import { VERSION } from './version.ts'
import { GenesisError, devGenesis, genesisToJson, loadGenesisFile, parseGenesis } from '../genesis/index.ts'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`)
  return Number(v)
}

const bigint = (name: string) => (v: string): bigint => {
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`)
  return BigInt(v)
}

/** Flags shared by `node` and `devnet`, spelled as Anvil spells them where Anvil has them. */
function withNodeFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <path>', 'where the chain database lives')
    .option('--host <address>', `JSON-RPC listen address (default ${DEFAULT_CONFIG.host})`)
    .option('-p, --port <port>', `JSON-RPC port, HTTP and WebSocket (default ${DEFAULT_CONFIG.port})`, int('port'))
    .option('-b, --block-time <seconds>', 'seconds between blocks; 0 mines one block per transaction', int('block time'))
    .option('--archive', 'keep the state of every block for historical queries (default: the last 128)')
    .option('--config <file>', 'JSON config file (flags and OPAL_* variables take precedence)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .addOption(new Option('--log-format <format>', 'log format (default: pretty on a terminal, json otherwise)').choices(['json', 'pretty']))
    .option('--rpc-max-batch <n>', 'most requests in one JSON-RPC batch', int('rpc-max-batch'))
    .option('--rpc-max-body <bytes>', 'largest JSON-RPC request body', int('rpc-max-body'))
    .option('--no-metrics', 'do not serve Prometheus metrics at /metrics')
    .option('--p2p-port <port>', 'libp2p TCP port (0 picks a free one)', int('p2p port'))
    .option('--p2p-host <address>', 'libp2p listen address (default 127.0.0.1)')
    .addOption(new Option('--attribution-kernel <kernel>', 'attribution kernel: auto = onnxruntime if its start-up self-test matches the reference, else WebAssembly').choices(['auto', 'onnx', 'wasm', 'js']))
    .option('--attribution-threads <n>', 'onnxruntime threads for attribution (default 2)', int('attribution threads'))
}

interface NodeFlags {
  dataDir?: string
  host?: string
  port?: number
  blockTime?: number
  archive?: boolean
  config?: string
  logLevel?: NodeConfig['logLevel']
  logFormat?: NodeConfig['logFormat']
  rpcMaxBatch?: number
  rpcMaxBody?: number
  metrics?: boolean
  genesis?: string
  sequencerKey?: string
  dev?: boolean
  p2pPort?: number
  p2pHost?: string
  p2p?: boolean
  bootnodes?: string
  mdns?: boolean
  follow?: boolean
  validatorKey?: string
  attributionKernel?: NodeConfig['attributionKernel']
  attributionThreads?: number
}

function configFrom(flags: NodeFlags): Partial<NodeConfig> {
  const fromFlags: Partial<NodeConfig> = {
    dataDir: flags.dataDir,
    host: flags.host,
    port: flags.port,
    blockTime: flags.blockTime,
    archive: flags.archive,
    logLevel: flags.logLevel,
    logFormat: flags.logFormat,
    rpcMaxBatchSize: flags.rpcMaxBatch,
    rpcMaxBodyBytes: flags.rpcMaxBody,
    metrics: flags.metrics === false ? false : undefined,
    genesis: flags.genesis,
    sequencerKey: flags.sequencerKey,
    dev: flags.dev,
    p2pPort: flags.p2pPort,
    p2pHost: flags.p2pHost,
    p2p: flags.p2p === false ? false : undefined,
    bootnodes: flags.bootnodes,
    mdns: flags.mdns,
    follow: flags.follow,
    validatorKey: flags.validatorKey,
    attributionKernel: flags.attributionKernel,
    attributionThreads: flags.attributionThreads,
  }
  return mergeConfig(fromFlags, fromEnv(process.env), flags.config !== undefined ? fromFile(flags.config) : {})
}

/** Runs until SIGINT/SIGTERM, then stops cleanly (a second signal forces the exit). */
function untilSignal(stop: () => Promise<void>): void {
  let stopping = false
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(130)
    stopping = true
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`error while stopping after ${sig}: ${(err as Error).message}`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

const program = new Command()
program.name('opal').description('opal: an appchain node for the AI data economy').version(VERSION).showHelpAfterError()

withNodeFlags(
  program
    .command('node')
    .description('run a node from a data directory and a genesis file')
    .option('--genesis <file>', 'genesis file, opal or geth format (default: <data-dir>/genesis.json)')
    .option('--sequencer-key <hex>', 'private key of the sequencer named in the genesis: this node makes the blocks')
    .option('--dev', 'enable development methods (evm_mine, evm_snapshot, opal_setBalance …)')
    .option('--follow', 'follow the network: import and verify the sequencer\'s blocks instead of making them')
    .option('--validator-key <hex>', 'key of a validator named in the genesis: attest the state roots this node verified')
    .option('--bootnodes <multiaddrs>', 'comma-separated libp2p addresses of peers to join')
    .option('--mdns', 'find peers on the local network')
    .option('--no-p2p', 'do not join the p2p network'),
).action(async (flags: NodeFlags) => {
  const config = validateConfig(configFrom(flags))
  const log = createLogger(config.logLevel, config.logFormat)
  const genesisPath = config.genesis ?? join(config.dataDir, 'genesis.json')
  if (!existsSync(genesisPath)) throw new ConfigError(`no genesis: ${genesisPath} does not exist (give --genesis, or write one with \`opal genesis new\`)`)
  const genesis = await loadGenesisFile(genesisPath)
  const node = await OpalNode.start(config, { genesis }, log)
  untilSignal(() => node.stop())
})

withNodeFlags(
  program
    .command('devnet')
    .description('start a local development network: funded test accounts, blocks every second (or per transaction)')
    .option('--chain-id <id>', 'chain id (default 31337)', bigint('chain id'))
    .option('-a, --accounts <n>', 'number of funded dev accounts (default 10)', int('accounts'))
    .option('--gas-limit <gas>', 'block gas limit of a new devnet (default 30000000)', bigint('gas limit'))
    .option('-n, --nodes <n>', 'nodes in the devnet: a sequencer and n−1 followers on loopback (default 1)', int('nodes')),
).action(async (flags: NodeFlags & { chainId?: bigint; accounts?: number; gasLimit?: bigint; nodes?: number }) => {
  const partial = configFrom(flags)
  // a devnet's followers pick free p2p ports unless told otherwise
  const config = validateConfig({ ...partial, dataDir: partial.dataDir ?? '(temporary)', p2pPort: partial.p2pPort ?? 0 })
  const log = createLogger(config.logLevel, config.logFormat)
  const accounts = flags.accounts ?? 10
  const devnet = await startDevnet(
    { dataDir: partial.dataDir, chainId: flags.chainId, accounts, gasLimit: flags.gasLimit, nodes: flags.nodes, p2p: flags.p2pPort !== undefined },
    config,
    log,
  )
  process.stdout.write(`${devnetBanner(devnet, accounts)}\n`)
  untilSignal(() => devnet.stop())
})

const genesisCmd = program.command('genesis').description('write or inspect genesis files')
genesisCmd
  .command('new')
  .description('write a new genesis file')
  .option('--dev', 'fund the ten standard test accounts (test test … junk) and use the dev sequencer key')
  .option('--chain-id <id>', 'chain id', bigint('chain id'))
  .option('-b, --block-time <seconds>', 'seconds between blocks', int('block time'))
  .option('--sequencer <address>', 'sequencer address (required without --dev)')
  .option('-o, --out <file>', 'write here instead of standard output')
  .action(async (flags: { dev?: boolean; chainId?: bigint; blockTime?: number; sequencer?: string; out?: string }) => {
    // without --dev: no funded accounts and no example registries, only what the flags say
    let genesis = devGenesis({ chainId: flags.chainId, blockTime: flags.blockTime, accounts: flags.dev === true ? 10 : 0, precompiles: flags.dev === true ? undefined : { attribution: { defaultGraph: DEFAULT_GRAPH_ID } }, defaultGraph: DEFAULT_GRAPH_ID })
    if (flags.dev !== true) {
      if (flags.sequencer === undefined) throw new ConfigError('--sequencer <address> is required without --dev')
      genesis = parseGenesis({ ...genesisToJson(genesis), alloc: {}, sequencer: flags.sequencer, feeRecipient: flags.sequencer, extraData: '0x' })
    }
    const text = `${JSON.stringify(genesisToJson(genesis), null, 2)}\n`
    if (flags.out === undefined) process.stdout.write(text)
    else await writeFile(flags.out, text)
  })
genesisCmd
  .command('inspect')
  .description('validate a genesis file (opal or geth format) and print its summary')
  .argument('<file>', 'genesis file')
  .action(async (file: string) => {
    const g = await loadGenesisFile(file)
    const precompiles = parsePrecompileSettings(g.precompiles, createAddressFromString(g.sequencer))
    const total = [...g.alloc.values()].reduce((s, a) => s + a.balance, 0n)
    const summary = {
      chainId: Number(g.chainId),
      blockTime: g.blockTime,
      gasLimit: g.gasLimit.toString(),
      baseFeePerGas: g.baseFeePerGas.toString(),
      sequencer: g.sequencer,
      token: g.token,
      accounts: g.alloc.size,
      totalSupply: total.toString(),
      validators: g.validators.length,
      precompiles: Object.fromEntries(Object.entries(precompiles.addresses).map(([name, a]) => [name, a.toString()])),
      initial: Object.fromEntries(Object.entries(precompiles.initial).map(([kind, list]) => [kind, list.length])),
    }
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  })

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof GenesisError || err instanceof PrecompileSettingsError) {
    console.error(`opal: ${err.message}`)
    process.exit(2)
  }
  console.error(err)
  process.exit(1)
})
