// Node configuration from flags, environment (OPAL_*) and an optional JSON config file, in that
// order of precedence, over built-in defaults.
import { readFileSync } from 'node:fs'
import type { LogFormat, LogLevel } from './logger.ts'

export interface NodeConfig {
  dataDir: string
  /** genesis file; default <dataDir>/genesis.json */
  genesis?: string
  host: string
  port: number
  /** overrides the genesis block time */
  blockTime?: number
  archive: boolean
  /** development methods and the dev accounts' keys in eth_accounts */
  dev: boolean
  /** 0x private key of the sequencer: this node makes blocks */
  sequencerKey?: string
  logLevel: LogLevel
  logFormat: LogFormat
  rpcMaxBodyBytes: number
  rpcMaxBatchSize: number
  txpoolMaxTotal: number
  txpoolMaxPerSender: number
  metrics: boolean
  /** join the p2p network */
  p2p: boolean
  p2pHost: string
  p2pPort: number
  /** comma-separated multiaddrs */
  bootnodes: string
  mdns: boolean
  /** import blocks from the network instead of making them */
  follow: boolean
  /** 0x private key of a validator named in the genesis: attest the blocks this node verified */
  validatorKey?: string
  /** attribution kernel: auto (onnxruntime if its self-test passes, else WebAssembly), onnx, wasm or js */
  attributionKernel: 'auto' | 'onnx' | 'wasm' | 'js'
  /** onnxruntime intra-op threads */
  attributionThreads: number
}

export const DEFAULT_CONFIG: Omit<NodeConfig, 'dataDir'> = {
  host: '127.0.0.1',
  port: 8545,
  archive: false,
  dev: false,
  logLevel: 'info',
  logFormat: process.stdout.isTTY ? 'pretty' : 'json',
  rpcMaxBodyBytes: 16 * 1024 * 1024,
  rpcMaxBatchSize: 5_000,
  txpoolMaxTotal: 100_000,
  txpoolMaxPerSender: 5_000,
  metrics: true,
  p2p: true,
  p2pHost: '127.0.0.1',
  p2pPort: 30333,
  bootnodes: '',
  mdns: false,
  follow: false,
  attributionKernel: 'auto',
  attributionThreads: 2,
}

type Kind = 'string' | 'int' | 'bool'
const FIELDS: Record<keyof NodeConfig, Kind> = {
  dataDir: 'string',
  genesis: 'string',
  host: 'string',
  port: 'int',
  blockTime: 'int',
  archive: 'bool',
  dev: 'bool',
  sequencerKey: 'string',
  logLevel: 'string',
  logFormat: 'string',
  rpcMaxBodyBytes: 'int',
  rpcMaxBatchSize: 'int',
  txpoolMaxTotal: 'int',
  txpoolMaxPerSender: 'int',
  metrics: 'bool',
  p2p: 'bool',
  p2pHost: 'string',
  p2pPort: 'int',
  bootnodes: 'string',
  mdns: 'bool',
  follow: 'bool',
  validatorKey: 'string',
  attributionKernel: 'string',
  attributionThreads: 'int',
}

export class ConfigError extends Error {}

/** OPAL_DATA_DIR, OPAL_PORT, OPAL_BLOCK_TIME … for every field. */
export function fromEnv(env: NodeJS.ProcessEnv): Partial<NodeConfig> {
  const out: Record<string, unknown> = {}
  for (const [field, kind] of Object.entries(FIELDS)) {
    const name = `OPAL_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
    const raw = env[name]
    if (raw !== undefined && raw !== '') out[field] = convert(name, raw, kind)
  }
  return out as Partial<NodeConfig>
}

export function fromFile(path: string): Partial<NodeConfig> {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${(err as Error).message}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`config file ${path}: expected a JSON object`)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(json)) {
    const kind = (FIELDS as Record<string, Kind>)[k]
    if (kind === undefined) throw new ConfigError(`config file ${path}: unknown setting "${k}" (known: ${Object.keys(FIELDS).join(', ')})`)
    out[k] = typeof v === 'string' ? convert(`${path}: ${k}`, v, kind) : v
  }
  return out as Partial<NodeConfig>
}

function convert(name: string, raw: string, kind: Kind): unknown {
  if (kind === 'string') return raw
  if (kind === 'bool') {
    if (['1', 'true', 'yes'].includes(raw)) return true
    if (['0', 'false', 'no'].includes(raw)) return false
    throw new ConfigError(`${name}: expected true or false, got "${raw}"`)
  }
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}: expected a non-negative integer, got "${raw}"`)
  return Number(raw)
}

/** flags > env > file > defaults; undefined values never override. */
export function mergeConfig(...layers: Array<Partial<NodeConfig>>): Partial<NodeConfig> {
  const out: Record<string, unknown> = {}
  for (const layer of layers.reverse()) for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v
  return out as Partial<NodeConfig>
}

export function validateConfig(c: Partial<NodeConfig>): NodeConfig {
  if (c.dataDir === undefined) throw new ConfigError('a data directory is required (--data-dir or OPAL_DATA_DIR)')
  const full = { ...DEFAULT_CONFIG, ...c } as NodeConfig
  if (full.port < 0 || full.port > 65535) throw new ConfigError(`port must be 0–65535, got ${full.port}`)
  if (full.blockTime !== undefined && full.blockTime > 3600) throw new ConfigError(`block time must be at most 3600 s, got ${full.blockTime}`)
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(full.logLevel)) throw new ConfigError(`unknown log level "${full.logLevel}"`)
  if (!['json', 'pretty'].includes(full.logFormat)) throw new ConfigError(`unknown log format "${full.logFormat}" (json or pretty)`)
  if (full.sequencerKey !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(full.sequencerKey)) throw new ConfigError('sequencer key must be 32 bytes of hex')
  if (full.validatorKey !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(full.validatorKey)) throw new ConfigError('validator key must be 32 bytes of hex')
  if (full.follow && full.sequencerKey !== undefined) throw new ConfigError('a node either makes blocks (--sequencer-key) or follows (--follow), not both')
  if (full.follow && !full.p2p) throw new ConfigError('a follower needs the p2p network (drop --no-p2p)')
  if (full.p2pPort < 0 || full.p2pPort > 65535) throw new ConfigError(`p2p port must be 0–65535, got ${full.p2pPort}`)
  if (!['auto', 'onnx', 'wasm', 'js'].includes(full.attributionKernel)) throw new ConfigError(`unknown attribution kernel "${full.attributionKernel}" (auto, onnx, wasm or js)`)
  if (full.attributionThreads < 1 || full.attributionThreads > 64) throw new ConfigError(`attribution threads must be 1–64, got ${full.attributionThreads}`)
  return full
}
