// Precompile settings, from the genesis "precompiles" section: addresses, activation, rules, and
// the Datanets, models and adapters the chain starts with.
import { createAddressFromString } from '@ethereumjs/util'
import type { Address } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import type { Activation } from './framework/precompile.ts'
import { GAS, LSH_INDEXED_GAS } from './framework/gas.ts'
import type { GasSchedule } from './framework/gas.ts'
import { DEFAULT_IVF } from './attribution/ivf.ts'
import type { IvfParams } from './attribution/ivf.ts'
import { DEFAULT_LSH } from './attribution/lsh.ts'
import type { LshParams } from './attribution/lsh.ts'

export const DEFAULT_ADDRESSES = {
  datanets: '0x4f50414c00000000000000000000000000000001',
  models: '0x4f50414c00000000000000000000000000000002',
  adapters: '0x4f50414c00000000000000000000000000000003',
  servers: '0x4f50414c00000000000000000000000000000004',
  receipts: '0x4f50414c00000000000000000000000000000005',
  attribution: '0x4f50414c00000000000000000000000000000006',
} as const

export type PrecompileName = keyof typeof DEFAULT_ADDRESSES

export interface InitialDatanet {
  owner: Address
  name: string
  schemaURI: string
  schemaHash: Uint8Array
  minStake: bigint
  sketchDim: number
  licenseURI: string
  curators: Address[]
  quorum: number
  /** accepted contributions present from the start */
  contributions: Array<{ contributor: Address; contentHash: Uint8Array; sketch: Uint8Array; metadataURI: string }>
  /** publish version 1 over those contributions */
  publish: boolean
}

export interface InitialModel {
  owner: Address
  baseModel: string
  name: string
  datanetVersions: Array<{ datanetId: bigint; version: bigint }>
  trainingRunHash: Uint8Array
  scoringGraphId: Uint8Array
}

export interface InitialAdapter {
  modelId: bigint
  owner: Address
  weightsHash: Uint8Array
  weightsURI: string
  rank: number
  targetModules: string
  pricePerKTokens: bigint
}

export interface InitialServer {
  operator: Address
  signer: Address
  endpoint: string
  stake: bigint
}

export interface InitialEscrow {
  payer: Address
  amount: bigint
}

/** How a receipt's fee is split, in basis points; the treasury takes what is left. */
export interface FeeSplit {
  contributorsBps: number
  modelOwnerBps: number
  adapterOwnerBps: number
  serverBps: number
}

export interface ServerSettings {
  /** least stake (wei of OPEN) an inference server must hold to have its receipts accepted */
  minStake: bigint
  /** seconds between requestUnstake and withdrawStake */
  unbondingDelay: bigint
  /** the address allowed to slash servers */
  slasher: Address
}

export interface ReceiptSettings {
  split: FeeSplit
  /** receives the treasury share, rounding dust and the stakes of slashed servers */
  treasury: Address
  /** longest validity (expiry − issuedAt) of a receipt, seconds */
  maxTtl: bigint
  /** how far issuedAt may be ahead of the block time, seconds */
  maxClockSkew: bigint
  /** seconds between a payer's requestWithdrawal and withdraw */
  escrowWithdrawDelay: bigint
  /** candidate receipts without earning after which a contribution is reported idle */
  idleReceipts: bigint
}

/** the index of the indexed mode */
export type IndexKind = 'ivf' | 'lsh'

export interface AttributionSettings {
  /** contributions paid per receipt unless a model sets its own */
  k: number
  /** in the automatic mode, candidate sets larger than this are scored with the index */
  indexedAbove: number
  index: IndexKind
  ivf: IvfParams
  lsh: LshParams
  /** weight of one matched token of span evidence, in dot-product units */
  spanWeight: bigint
  /** keccak256 of the default scoring graph the genesis names (checked against the built-in one) */
  defaultGraph: Uint8Array | undefined
}

export interface PrecompileSettings {
  addresses: Record<PrecompileName, Address>
  activation: Record<PrecompileName, Activation>
  /** seconds after acceptance before a contribution's stake can be withdrawn */
  withdrawDelay: bigint
  /** the block producer: the only caller of the receipts precompile's settle() */
  sequencer: Address
  /** what every precompile charges for what */
  gas: GasSchedule
  servers: ServerSettings
  receipts: ReceiptSettings
  attribution: AttributionSettings
  initial: {
    datanets: InitialDatanet[]
    models: InitialModel[]
    adapters: InitialAdapter[]
    servers: InitialServer[]
    escrows: InitialEscrow[]
  }
}

export class PrecompileSettingsError extends Error {
  readonly field: string

  constructor(field: string, message: string) {
    super(`precompiles.${field}: ${message}`)
    this.field = `precompiles.${field}`
  }
}

export const PRECOMPILE_NAMES = Object.keys(DEFAULT_ADDRESSES) as PrecompileName[]

/** The IVF seed when a genesis names none: keccak("opal.attribution.ivf.v1"). */
const DEFAULT_IVF_SEED = keccak_256(new TextEncoder().encode('opal.attribution.ivf.v1'))

/** The LSH seed when a genesis names none: keccak("opal.attribution.lsh.v1"). */
const DEFAULT_LSH_SEED = keccak_256(new TextEncoder().encode('opal.attribution.lsh.v1'))

const ZERO_ADDRESS = createAddressFromString('0x0000000000000000000000000000000000000000')

/** Defaults; `sequencer` (and the treasury and slasher, which default to it) come from the genesis. */
export function defaultPrecompileSettings(sequencer: Address = ZERO_ADDRESS): PrecompileSettings {
  return {
    addresses: Object.fromEntries(PRECOMPILE_NAMES.map((n) => [n, createAddressFromString(DEFAULT_ADDRESSES[n])])) as Record<PrecompileName, Address>,
    activation: Object.fromEntries(PRECOMPILE_NAMES.map((n) => [n, {}])) as Record<PrecompileName, Activation>,
    withdrawDelay: 7n * 24n * 3600n,
    sequencer,
    gas: { ...GAS },
    servers: { minStake: 100n * 10n ** 18n, unbondingDelay: 7n * 24n * 3600n, slasher: sequencer },
    receipts: {
      split: { contributorsBps: 5000, modelOwnerBps: 2000, adapterOwnerBps: 1000, serverBps: 1500 },
      treasury: sequencer,
      maxTtl: 3600n,
      maxClockSkew: 60n,
      escrowWithdrawDelay: 3600n,
      idleReceipts: 1000n,
    },
    attribution: { k: 32, indexedAbove: 50_000, index: 'ivf', ivf: { ...DEFAULT_IVF, seed: DEFAULT_IVF_SEED }, lsh: { ...DEFAULT_LSH, seed: DEFAULT_LSH_SEED }, spanWeight: 4096n, defaultGraph: undefined },
    initial: { datanets: [], models: [], adapters: [], servers: [], escrows: [] },
  }
}

type Json = Record<string, unknown>

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function obj(field: string, v: unknown): Json {
  if (!isObj(v)) throw new PrecompileSettingsError(field, 'expected an object')
  return v
}

function known(field: string, o: Json, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new PrecompileSettingsError(field === '' ? k : `${field}.${k}`, `unknown field (known: ${keys.join(', ')})`)
}

function uint(field: string, v: unknown): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v)
  throw new PrecompileSettingsError(field, 'expected a non-negative integer')
}

function address(field: string, v: unknown): Address {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new PrecompileSettingsError(field, 'expected a 20-byte 0x address')
  return createAddressFromString(v.toLowerCase())
}

function bytes32(field: string, v: unknown): Uint8Array {
  if (v === undefined) return new Uint8Array(32)
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw new PrecompileSettingsError(field, 'expected 32 bytes of 0x hex')
  return Uint8Array.from(Buffer.from(v.slice(2), 'hex'))
}

function hexBytes(field: string, v: unknown): Uint8Array {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw new PrecompileSettingsError(field, 'expected 0x hex bytes')
  return Uint8Array.from(Buffer.from(v.slice(2), 'hex'))
}

function str(field: string, v: unknown, fallback?: string): string {
  if (v === undefined && fallback !== undefined) return fallback
  if (typeof v !== 'string') throw new PrecompileSettingsError(field, 'expected a string')
  return v
}

function list(field: string, v: unknown): unknown[] {
  if (v === undefined) return []
  if (!Array.isArray(v)) throw new PrecompileSettingsError(field, 'expected an array')
  return v
}

function activation(field: string, v: unknown): Activation {
  if (v === undefined) return {}
  const o = obj(field, v)
  known(field, o, ['block', 'timestamp'])
  return { block: o.block === undefined ? undefined : uint(`${field}.block`, o.block), timestamp: o.timestamp === undefined ? undefined : uint(`${field}.timestamp`, o.timestamp) }
}

const SECTION_FIELDS: Record<PrecompileName, string[]> = {
  datanets: [],
  models: [],
  adapters: [],
  servers: ['minStake', 'unbondingDelaySeconds', 'slasher'],
  receipts: ['split', 'treasury', 'maxTtlSeconds', 'maxClockSkewSeconds', 'escrowWithdrawDelaySeconds', 'idleReceipts'],
  attribution: ['k', 'indexedAbove', 'index', 'ivf', 'lsh', 'spanWeight', 'defaultGraph'],
}

/**
 * Reads the genesis "precompiles" section; every error names its field. The sequencer (from the
 * genesis) is the only settler of receipts and the default treasury and slasher.
 */
export function parsePrecompileSettings(json: unknown, sequencer?: Address): PrecompileSettings {
  const s = defaultPrecompileSettings(sequencer)
  if (json === undefined || json === null) return s
  const o = obj('', json)
  known('', o, [...PRECOMPILE_NAMES, 'withdrawDelaySeconds', 'gas', 'initial'])
  for (const name of PRECOMPILE_NAMES) {
    if (o[name] === undefined) continue
    const p = obj(name, o[name])
    known(name, p, ['address', 'activation', ...SECTION_FIELDS[name]])
    if (p.address !== undefined) s.addresses[name] = address(`${name}.address`, p.address)
    s.activation[name] = activation(`${name}.activation`, p.activation)
  }
  const addrs = Object.values(s.addresses).map((a) => a.toString())
  if (new Set(addrs).size !== addrs.length) throw new PrecompileSettingsError('address', 'two precompiles share an address')
  for (const a of Object.values(s.addresses)) {
    if (a.bytes.slice(0, 19).every((b) => b === 0) && a.bytes[19] <= 0x11) throw new PrecompileSettingsError('address', `${a} is one of Ethereum's own precompiles`)
  }
  if (o.withdrawDelaySeconds !== undefined) s.withdrawDelay = uint('withdrawDelaySeconds', o.withdrawDelaySeconds)
  if (o.servers !== undefined) parseServers(obj('servers', o.servers), s.servers)
  if (o.receipts !== undefined) parseReceipts(obj('receipts', o.receipts), s.receipts)
  if (o.attribution !== undefined) parseAttribution(obj('attribution', o.attribution), s.attribution)
  const gas = o.gas === undefined ? {} : obj('gas', o.gas)
  // the LSH index probes more candidates: unless the genesis prices it, it pays the LSH prices
  const indexedDefaults = s.attribution.index === 'lsh' ? LSH_INDEXED_GAS : {}
  s.gas = parseGas(gas, indexedDefaults)
  if (o.initial !== undefined) s.initial = parseInitial(obj('initial', o.initial))
  return s
}

function parseGas(o: Json, defaults: Partial<GasSchedule>): GasSchedule {
  const keys = Object.keys(GAS) as Array<keyof GasSchedule>
  known('gas', o, keys)
  const out: Record<string, bigint> = { ...GAS, ...defaults }
  for (const k of keys) {
    if (o[k] === undefined) continue
    out[k] = uint(`gas.${k}`, o[k])
    // these are divisors of the work measured: zero would divide by zero
    if ((k === 'scoreExactMacs' || k === 'scoreIndexedMacs') && out[k] === 0n) throw new PrecompileSettingsError(`gas.${k}`, 'must be at least 1')
  }
  return out as unknown as GasSchedule
}

function parseServers(o: Json, out: ServerSettings): void {
  if (o.minStake !== undefined) out.minStake = uint('servers.minStake', o.minStake)
  if (o.unbondingDelaySeconds !== undefined) out.unbondingDelay = uint('servers.unbondingDelaySeconds', o.unbondingDelaySeconds)
  if (o.slasher !== undefined) out.slasher = address('servers.slasher', o.slasher)
}

function parseReceipts(o: Json, out: ReceiptSettings): void {
  if (o.split !== undefined) {
    const sp = obj('receipts.split', o.split)
    const keys = ['contributorsBps', 'modelOwnerBps', 'adapterOwnerBps', 'serverBps'] as const
    known('receipts.split', sp, [...keys])
    for (const k of keys) if (sp[k] !== undefined) out.split[k] = Number(uint(`receipts.split.${k}`, sp[k]))
    const total = keys.reduce((t, k) => t + out.split[k], 0)
    if (total > 10_000) throw new PrecompileSettingsError('receipts.split', `the shares add up to ${total} basis points, more than 10000`)
  }
  if (o.treasury !== undefined) out.treasury = address('receipts.treasury', o.treasury)
  if (o.maxTtlSeconds !== undefined) out.maxTtl = uint('receipts.maxTtlSeconds', o.maxTtlSeconds)
  if (o.maxClockSkewSeconds !== undefined) out.maxClockSkew = uint('receipts.maxClockSkewSeconds', o.maxClockSkewSeconds)
  if (o.escrowWithdrawDelaySeconds !== undefined) out.escrowWithdrawDelay = uint('receipts.escrowWithdrawDelaySeconds', o.escrowWithdrawDelaySeconds)
  if (o.idleReceipts !== undefined) out.idleReceipts = uint('receipts.idleReceipts', o.idleReceipts)
}

function parseAttribution(o: Json, out: AttributionSettings): void {
  if (o.k !== undefined) {
    out.k = Number(uint('attribution.k', o.k))
    if (out.k < 1 || out.k > MAX_K) throw new PrecompileSettingsError('attribution.k', `must be 1–${MAX_K}`)
  }
  if (o.indexedAbove !== undefined) out.indexedAbove = Number(uint('attribution.indexedAbove', o.indexedAbove))
  if (o.spanWeight !== undefined) out.spanWeight = uint('attribution.spanWeight', o.spanWeight)
  if (o.defaultGraph !== undefined) out.defaultGraph = bytes32('attribution.defaultGraph', o.defaultGraph)
  if (o.index !== undefined) {
    if (o.index !== 'ivf' && o.index !== 'lsh') throw new PrecompileSettingsError('attribution.index', `must be "ivf" or "lsh", not ${JSON.stringify(o.index)}`)
    out.index = o.index
  }
  if (o.ivf !== undefined) {
    const v = obj('attribution.ivf', o.ivf)
    known('attribution.ivf', v, ['lists', 'probeRows', 'iterations', 'seed'])
    if (v.lists !== undefined) out.ivf.lists = Number(uint('attribution.ivf.lists', v.lists))
    if (v.probeRows !== undefined) out.ivf.probeRows = Number(uint('attribution.ivf.probeRows', v.probeRows))
    if (v.iterations !== undefined) out.ivf.iterations = Number(uint('attribution.ivf.iterations', v.iterations))
    if (v.seed !== undefined) out.ivf.seed = bytes32('attribution.ivf.seed', v.seed)
    if (out.ivf.lists < 1 || out.ivf.lists > 65_536) throw new PrecompileSettingsError('attribution.ivf.lists', 'must be 1–65536')
    if (out.ivf.probeRows < 1) throw new PrecompileSettingsError('attribution.ivf.probeRows', 'must be at least 1')
    if (out.ivf.iterations > 64) throw new PrecompileSettingsError('attribution.ivf.iterations', 'must be 0–64')
  }
  if (o.lsh !== undefined) {
    const l = obj('attribution.lsh', o.lsh)
    known('attribution.lsh', l, ['bits', 'tables', 'radius', 'probes', 'seed'])
    if (l.bits !== undefined) out.lsh.bits = Number(uint('attribution.lsh.bits', l.bits))
    if (l.tables !== undefined) out.lsh.tables = Number(uint('attribution.lsh.tables', l.tables))
    if (l.radius !== undefined) out.lsh.radius = Number(uint('attribution.lsh.radius', l.radius))
    if (l.probes !== undefined) out.lsh.probes = Number(uint('attribution.lsh.probes', l.probes))
    if (l.seed !== undefined) out.lsh.seed = bytes32('attribution.lsh.seed', l.seed)
    if (out.lsh.bits < 1 || out.lsh.bits > 24) throw new PrecompileSettingsError('attribution.lsh.bits', 'must be 1–24')
    if (out.lsh.tables < 1 || out.lsh.tables > 64) throw new PrecompileSettingsError('attribution.lsh.tables', 'must be 1–64')
    if (out.lsh.radius > 3) throw new PrecompileSettingsError('attribution.lsh.radius', 'must be 0–3')
    if (out.lsh.probes !== undefined && (out.lsh.probes < 1 || out.lsh.probes > 4096)) throw new PrecompileSettingsError('attribution.lsh.probes', 'must be 1–4096')
  }
}

/** Most contributions a receipt can pay. */
export const MAX_K = 256

function parseInitial(o: Json): PrecompileSettings['initial'] {
  known('initial', o, ['datanets', 'models', 'adapters', 'servers', 'escrows'])
  return {
    servers: list('initial.servers', o.servers).map((v, i) => {
      const f = `initial.servers[${i}]`
      const x = obj(f, v)
      known(f, x, ['operator', 'signer', 'endpoint', 'stake'])
      const operator = address(`${f}.operator`, x.operator)
      return { operator, signer: x.signer === undefined ? operator : address(`${f}.signer`, x.signer), endpoint: str(`${f}.endpoint`, x.endpoint, ''), stake: uint(`${f}.stake`, x.stake) }
    }),
    escrows: list('initial.escrows', o.escrows).map((v, i) => {
      const f = `initial.escrows[${i}]`
      const x = obj(f, v)
      known(f, x, ['payer', 'amount'])
      return { payer: address(`${f}.payer`, x.payer), amount: uint(`${f}.amount`, x.amount) }
    }),
    datanets: list('initial.datanets', o.datanets).map((v, i) => {
      const f = `initial.datanets[${i}]`
      const d = obj(f, v)
      known(f, d, ['owner', 'name', 'schemaURI', 'schemaHash', 'minStake', 'sketchDim', 'licenseURI', 'curators', 'quorum', 'contributions', 'publish'])
      const curators = list(`${f}.curators`, d.curators).map((c, j) => address(`${f}.curators[${j}]`, c))
      return {
        owner: address(`${f}.owner`, d.owner),
        name: str(`${f}.name`, d.name),
        schemaURI: str(`${f}.schemaURI`, d.schemaURI, ''),
        schemaHash: bytes32(`${f}.schemaHash`, d.schemaHash),
        minStake: d.minStake === undefined ? 0n : uint(`${f}.minStake`, d.minStake),
        sketchDim: Number(uint(`${f}.sketchDim`, d.sketchDim ?? 128)),
        licenseURI: str(`${f}.licenseURI`, d.licenseURI, ''),
        curators,
        quorum: Number(uint(`${f}.quorum`, d.quorum ?? 1)),
        contributions: list(`${f}.contributions`, d.contributions).map((c, j) => {
          const cf = `${f}.contributions[${j}]`
          const co = obj(cf, c)
          known(cf, co, ['contributor', 'contentHash', 'sketch', 'metadataURI'])
          return { contributor: address(`${cf}.contributor`, co.contributor), contentHash: bytes32(`${cf}.contentHash`, co.contentHash), sketch: hexBytes(`${cf}.sketch`, co.sketch), metadataURI: str(`${cf}.metadataURI`, co.metadataURI, '') }
        }),
        publish: d.publish === true,
      }
    }),
    models: list('initial.models', o.models).map((v, i) => {
      const f = `initial.models[${i}]`
      const m = obj(f, v)
      known(f, m, ['owner', 'baseModel', 'name', 'datanetVersions', 'trainingRunHash', 'scoringGraphId'])
      return {
        owner: address(`${f}.owner`, m.owner),
        baseModel: str(`${f}.baseModel`, m.baseModel),
        name: str(`${f}.name`, m.name),
        datanetVersions: list(`${f}.datanetVersions`, m.datanetVersions).map((dv, j) => {
          const x = obj(`${f}.datanetVersions[${j}]`, dv)
          return { datanetId: uint(`${f}.datanetVersions[${j}].datanetId`, x.datanetId), version: uint(`${f}.datanetVersions[${j}].version`, x.version) }
        }),
        trainingRunHash: bytes32(`${f}.trainingRunHash`, m.trainingRunHash),
        scoringGraphId: bytes32(`${f}.scoringGraphId`, m.scoringGraphId),
      }
    }),
    adapters: list('initial.adapters', o.adapters).map((v, i) => {
      const f = `initial.adapters[${i}]`
      const a = obj(f, v)
      known(f, a, ['modelId', 'owner', 'weightsHash', 'weightsURI', 'rank', 'targetModules', 'pricePerKTokens'])
      return {
        modelId: uint(`${f}.modelId`, a.modelId),
        owner: address(`${f}.owner`, a.owner),
        weightsHash: bytes32(`${f}.weightsHash`, a.weightsHash),
        weightsURI: str(`${f}.weightsURI`, a.weightsURI, ''),
        rank: Number(uint(`${f}.rank`, a.rank ?? 8)),
        targetModules: str(`${f}.targetModules`, a.targetModules, 'q_proj,v_proj'),
        pricePerKTokens: uint(`${f}.pricePerKTokens`, a.pricePerKTokens ?? 0),
      }
    }),
  }
}
