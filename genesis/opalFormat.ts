// The opal genesis JSON format: parse (with validation) and write.
import { GenesisError } from './errors.ts'
import {
  address, boolean, hexBytes, isObject, object, optionalQuantity, quantity, rejectUnknown, smallInt, string, word,
} from './fields.ts'
import type { JsonObject } from './fields.ts'
import type { Genesis, GenesisAccount, Hex } from './types.ts'

export const OPAL_FIELDS = [
  '$schema', 'chainId', 'blockTime', 'emptyBlocks', 'gasLimit', 'baseFeePerGas', 'timestamp', 'extraData',
  'sequencer', 'feeRecipient', 'token', 'alloc', 'validators', 'precompiles',
] as const

export const DEFAULTS = {
  blockTime: 1,
  gasLimit: 30_000_000n,
  baseFeePerGas: 1_000_000_000n,
  token: { name: 'Open', symbol: 'OPEN', decimals: 18 },
} as const

export function parseOpalGenesis(json: JsonObject): Genesis {
  rejectUnknown('', json, OPAL_FIELDS)
  const chainId = quantity('chainId', json.chainId)
  if (chainId === 0n || chainId >= 2n ** 53n) throw new GenesisError('chainId', `must be between 1 and 2^53-1, got ${chainId}`)
  const gasLimit = optionalQuantity('gasLimit', json.gasLimit, DEFAULTS.gasLimit)
  if (gasLimit < 5000n) throw new GenesisError('gasLimit', `must be at least 5000, got ${gasLimit}`)
  const extraData = json.extraData === undefined ? new Uint8Array() : hexBytes('extraData', json.extraData)
  if (extraData.length > 32) throw new GenesisError('extraData', `at most 32 bytes, got ${extraData.length}`)
  const sequencer = address('sequencer', json.sequencer)
  const validators = parseValidators(json.validators)
  return {
    chainId,
    blockTime: json.blockTime === undefined ? DEFAULTS.blockTime : smallInt('blockTime', json.blockTime, 0, 3600),
    emptyBlocks: json.emptyBlocks === undefined ? false : boolean('emptyBlocks', json.emptyBlocks),
    gasLimit,
    baseFeePerGas: optionalQuantity('baseFeePerGas', json.baseFeePerGas, DEFAULTS.baseFeePerGas),
    timestamp: optionalQuantity('timestamp', json.timestamp, 0n),
    extraData,
    sequencer,
    feeRecipient: json.feeRecipient === undefined ? sequencer : address('feeRecipient', json.feeRecipient),
    token: parseToken(json.token),
    alloc: parseAlloc('alloc', json.alloc ?? {}),
    validators: validators.addresses,
    validatorQuorum: validators.quorum,
    precompiles: json.precompiles ?? {},
  }
}

function parseToken(v: unknown): Genesis['token'] {
  if (v === undefined) return { ...DEFAULTS.token }
  const t = object('token', v)
  rejectUnknown('token', t, ['name', 'symbol', 'decimals'])
  return {
    name: string('token.name', t.name),
    symbol: string('token.symbol', t.symbol),
    decimals: smallInt('token.decimals', t.decimals, 0, 36),
  }
}

function parseValidators(v: unknown): { addresses: Hex[]; quorum: number } {
  if (v === undefined) return { addresses: [], quorum: 0 }
  const o = object('validators', v)
  rejectUnknown('validators', o, ['addresses', 'quorum'])
  if (!Array.isArray(o.addresses)) throw new GenesisError('validators.addresses', 'expected an array of addresses')
  const addresses = o.addresses.map((a, i) => address(`validators.addresses[${i}]`, a))
  if (new Set(addresses).size !== addresses.length) throw new GenesisError('validators.addresses', 'contains a duplicate')
  const quorum = o.quorum === undefined ? Math.floor((addresses.length * 2) / 3) + 1 : smallInt('validators.quorum', o.quorum, 1, addresses.length)
  return { addresses, quorum: addresses.length === 0 ? 0 : quorum }
}

export function parseAlloc(field: string, v: unknown): Map<Hex, GenesisAccount> {
  const alloc = object(field, v)
  const out = new Map<Hex, GenesisAccount>()
  for (const [key, raw] of Object.entries(alloc)) {
    const path = `${field}["${key}"]`
    const addr = address(path, key)
    if (out.has(addr)) throw new GenesisError(path, 'address appears twice (addresses are case-insensitive)')
    const acc = object(path, raw)
    rejectUnknown(path, acc, ['balance', 'nonce', 'code', 'storage'])
    const storage = new Map<Hex, Hex>()
    if (acc.storage !== undefined) {
      for (const [slot, value] of Object.entries(object(`${path}.storage`, acc.storage))) {
        storage.set(word(`${path}.storage key`, slot), word(`${path}.storage["${slot}"]`, value))
      }
    }
    out.set(addr, {
      balance: optionalQuantity(`${path}.balance`, acc.balance, 0n),
      nonce: optionalQuantity(`${path}.nonce`, acc.nonce, 0n),
      code: acc.code === undefined ? new Uint8Array() : hexBytes(`${path}.code`, acc.code),
      storage,
    })
  }
  return out
}

export function isOpalGenesis(json: unknown): json is JsonObject {
  return isObject(json) && 'chainId' in json && !('config' in json)
}

/**
 * Writes a genesis back to the JSON format (numbers as strings where they can exceed 2^53).
 * Without the runtime settings (block time, empty blocks), what remains fixes block 0 exactly.
 */
export function genesisToJson(g: Genesis, opts: { withRuntime?: boolean } = {}): JsonObject {
  const alloc: JsonObject = {}
  for (const [addr, acc] of g.alloc) {
    const entry: JsonObject = { balance: acc.balance.toString() }
    if (acc.nonce !== 0n) entry.nonce = Number(acc.nonce)
    if (acc.code.length > 0) entry.code = `0x${Buffer.from(acc.code).toString('hex')}`
    if (acc.storage.size > 0) entry.storage = Object.fromEntries(acc.storage)
    alloc[addr] = entry
  }
  const out: JsonObject = {
    chainId: Number(g.chainId),
    blockTime: g.blockTime,
    emptyBlocks: g.emptyBlocks,
    gasLimit: g.gasLimit.toString(),
    baseFeePerGas: g.baseFeePerGas.toString(),
    timestamp: g.timestamp.toString(),
    extraData: `0x${Buffer.from(g.extraData).toString('hex')}`,
    sequencer: g.sequencer,
    feeRecipient: g.feeRecipient,
    token: { ...g.token },
    alloc,
  }
  if (g.validators.length > 0) out.validators = { addresses: g.validators, quorum: g.validatorQuorum }
  if (opts.withRuntime === false) {
    delete out.blockTime
    delete out.emptyBlocks
  }
  if (isObject(g.precompiles) && Object.keys(g.precompiles).length > 0) out.precompiles = g.precompiles
  return out
}
