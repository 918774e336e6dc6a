// Precompile settings, from the genesis "precompiles" section: addresses, activation, rules, and
// the Datanets, models and adapters the chain starts with.
import { createAddressFromString } from '@ethereumjs/util'
import type { Address } from '@ethereumjs/util'
import type { Activation } from './framework/precompile.ts'

export const DEFAULT_ADDRESSES = {
  datanets: '0x4f50414c00000000000000000000000000000001',
  models: '0x4f50414c00000000000000000000000000000002',
  adapters: '0x4f50414c00000000000000000000000000000003',
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

export interface PrecompileSettings {
  addresses: Record<PrecompileName, Address>
  activation: Record<PrecompileName, Activation>
  /** seconds after acceptance before a contribution's stake can be withdrawn */
  withdrawDelay: bigint
  initial: { datanets: InitialDatanet[]; models: InitialModel[]; adapters: InitialAdapter[] }
}

export class PrecompileSettingsError extends Error {
  readonly field: string

  constructor(field: string, message: string) {
    super(`precompiles.${field}: ${message}`)
    this.field = `precompiles.${field}`
  }
}

export function defaultPrecompileSettings(): PrecompileSettings {
  return {
    addresses: {
      datanets: createAddressFromString(DEFAULT_ADDRESSES.datanets),
      models: createAddressFromString(DEFAULT_ADDRESSES.models),
      adapters: createAddressFromString(DEFAULT_ADDRESSES.adapters),
    },
    activation: { datanets: {}, models: {}, adapters: {} },
    withdrawDelay: 7n * 24n * 3600n,
    initial: { datanets: [], models: [], adapters: [] },
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

/** Reads the genesis "precompiles" section; every error names its field. */
export function parsePrecompileSettings(json: unknown): PrecompileSettings {
  const s = defaultPrecompileSettings()
  if (json === undefined || json === null) return s
  const o = obj('', json)
  known('', o, ['datanets', 'models', 'adapters', 'withdrawDelaySeconds', 'initial'])
  for (const name of ['datanets', 'models', 'adapters'] as const) {
    if (o[name] === undefined) continue
    const p = obj(name, o[name])
    known(name, p, ['address', 'activation'])
    if (p.address !== undefined) s.addresses[name] = address(`${name}.address`, p.address)
    s.activation[name] = activation(`${name}.activation`, p.activation)
  }
  const addrs = Object.values(s.addresses).map((a) => a.toString())
  if (new Set(addrs).size !== addrs.length) throw new PrecompileSettingsError('address', 'two precompiles share an address')
  for (const a of s.addresses ? Object.values(s.addresses) : []) {
    if (a.bytes.slice(0, 19).every((b) => b === 0) && a.bytes[19] <= 0x11) throw new PrecompileSettingsError('address', `${a} is one of Ethereum's own precompiles`)
  }
  if (o.withdrawDelaySeconds !== undefined) s.withdrawDelay = uint('withdrawDelaySeconds', o.withdrawDelaySeconds)
  if (o.initial !== undefined) s.initial = parseInitial(obj('initial', o.initial))
  return s
}

function parseInitial(o: Json): PrecompileSettings['initial'] {
  known('initial', o, ['datanets', 'models', 'adapters'])
  return {
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
