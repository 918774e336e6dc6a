// Declarative parameter parsing: each method lists one parser per position; a bad value is
// reported as "invalid argument i: …" (geth's wording) with code -32602.
import type { AccessList } from '@ethereumjs/tx'
import type { EOACode7702AuthorizationList } from '@ethereumjs/util'
import type { BlockSelector, BlockTag } from '../chain/index.ts'
import type { AccountOverride, CallRequest, StateOverrides } from '../chain/call.ts'
import { invalidParams } from './errors.ts'
import { bytesFromHex } from './hex.ts'

export type Parser<T> = (value: unknown, at: string) => T

type Parsed<T extends readonly Parser<unknown>[]> = { [K in keyof T]: T[K] extends Parser<infer R> ? R : never }

class ParamError extends Error {}

function fail(at: string, message: string): never {
  throw new ParamError(`${at}: ${message}`)
}

/** Parses a positional params array; missing trailing parameters reach their parser as undefined. */
export function parseParams<const T extends readonly Parser<unknown>[]>(params: unknown, parsers: T): Parsed<T> {
  const list = params === undefined ? [] : params
  if (!Array.isArray(list)) throw invalidParams('invalid params: expected an array of positional parameters')
  if (list.length > parsers.length) throw invalidParams(`too many arguments, want at most ${parsers.length}`)
  try {
    return parsers.map((p, i) => p(list[i], `invalid argument ${i}`)) as Parsed<T>
  } catch (err) {
    if (err instanceof ParamError) throw invalidParams(err.message)
    throw err
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing'
  const s = JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s
}

export const required = <T>(p: Parser<T>): Parser<T> => (v, at) => {
  if (v === undefined || v === null) fail(at, 'missing value for required argument')
  return p(v, at)
}

export const optional = <T, D>(p: Parser<T>, fallback: D): Parser<T | D> => (v, at) => (v === undefined || v === null ? fallback : p(v, at))

export const quantity: Parser<bigint> = (v, at) => {
  if (typeof v !== 'string') fail(at, `expected a 0x hex quantity, got ${show(v)}`)
  if (!/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/.test(v)) {
    if (!v.startsWith('0x')) fail(at, 'hex string without 0x prefix')
    if (v === '0x') fail(at, 'hex string "0x"')
    if (/^0x0[0-9a-fA-F]+$/.test(v)) fail(at, 'hex number with leading zero digits')
    fail(at, `invalid hex quantity ${show(v)}`)
  }
  if (v.length > 66) fail(at, 'hex number > 256 bits')
  return BigInt(v)
}

/** A quantity that also fits a JS number (counts, indexes). */
export const smallQuantity: Parser<number> = (v, at) => {
  const q = quantity(v, at)
  if (q > BigInt(Number.MAX_SAFE_INTEGER)) fail(at, 'number too large')
  return Number(q)
}

export const bytes: Parser<Uint8Array> = (v, at) => {
  if (typeof v !== 'string') fail(at, `expected 0x hex data, got ${show(v)}`)
  if (!v.startsWith('0x')) fail(at, 'hex string without 0x prefix')
  if (v.length % 2 !== 0) fail(at, 'hex string of odd length')
  if (!/^0x[0-9a-fA-F]*$/.test(v)) fail(at, `invalid hex string ${show(v)}`)
  return bytesFromHex(v)
}

const fixed = (n: number, what: string): Parser<Uint8Array> => (v, at) => {
  const b = bytes(v, at)
  if (b.length !== n) fail(at, `expected ${what} of ${n} bytes, got ${b.length}`)
  return b
}

export const address = fixed(20, 'an address')
export const hash = fixed(32, 'a hash')

/** A storage slot: any hex up to 32 bytes, left-padded. */
export const slot: Parser<Uint8Array> = (v, at) => {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(v)) fail(at, `expected a storage slot (0x hex, at most 32 bytes), got ${show(v)}`)
  return bytesFromHex(`0x${v.slice(2).padStart(64, '0')}`)
}

export const boolean: Parser<boolean> = (v, at) => {
  if (typeof v !== 'boolean') fail(at, `expected true or false, got ${show(v)}`)
  return v
}

export const string: Parser<string> = (v, at) => {
  if (typeof v !== 'string') fail(at, `expected a string, got ${show(v)}`)
  return v
}

const TAGS: readonly BlockTag[] = ['latest', 'earliest', 'pending', 'safe', 'finalized']

export const blockNumberOrTag: Parser<bigint | BlockTag> = (v, at) => {
  if (typeof v === 'string' && (TAGS as readonly string[]).includes(v)) return v as BlockTag
  if (typeof v === 'string' && v.startsWith('0x')) return quantity(v, at)
  fail(at, `expected a block number or one of ${TAGS.join(', ')}, got ${show(v)}`)
}

/** EIP-1898: a number, a tag, or {blockHash, requireCanonical} / {blockNumber}. */
export const blockRef: Parser<BlockSelector> = (v, at) => {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    if (o.blockHash !== undefined) {
      return { hash: hash(o.blockHash, `${at}.blockHash`), requireCanonical: o.requireCanonical === true }
    }
    if (o.blockNumber !== undefined) return blockNumberOrTag(o.blockNumber, `${at}.blockNumber`)
    fail(at, 'expected blockHash or blockNumber')
  }
  return blockNumberOrTag(v, at)
}

function object(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, `expected an object, got ${show(v)}`)
  return v as Record<string, unknown>
}

const opt = <T>(p: Parser<T>, v: unknown, at: string): T | undefined => (v === undefined || v === null ? undefined : p(v, at))

const accessList: Parser<AccessList> = (v, at) => {
  if (!Array.isArray(v)) fail(at, 'expected an access list array')
  return v.map((item, i) => {
    const o = object(item, `${at}[${i}]`)
    const keys = o.storageKeys ?? []
    if (!Array.isArray(keys)) fail(`${at}[${i}].storageKeys`, 'expected an array')
    return {
      address: `0x${Buffer.from(address(o.address, `${at}[${i}].address`)).toString('hex')}`,
      storageKeys: keys.map((k, j) => `0x${Buffer.from(hash(k, `${at}[${i}].storageKeys[${j}]`)).toString('hex')}`),
    } as AccessList[number]
  })
}

const authorizationList: Parser<EOACode7702AuthorizationList> = (v, at) => {
  if (!Array.isArray(v)) fail(at, 'expected an authorization list array')
  return v.map((item, i) => {
    const o = object(item, `${at}[${i}]`)
    const q = (k: string) => `0x${quantity(o[k], `${at}[${i}].${k}`).toString(16)}` as `0x${string}`
    return {
      chainId: q('chainId'),
      address: `0x${Buffer.from(address(o.address, `${at}[${i}].address`)).toString('hex')}`,
      nonce: q('nonce'),
      yParity: q(o.yParity !== undefined ? 'yParity' : 'v'),
      r: q('r'),
      s: q('s'),
    } as EOACode7702AuthorizationList[number]
  })
}

/** The transaction-call object of eth_call / eth_estimateGas (input and data are synonyms). */
export const callRequest: Parser<CallRequest> = (v, at) => {
  const o = object(v, at)
  const input = opt(bytes, o.input, `${at}.input`)
  const dataField = opt(bytes, o.data, `${at}.data`)
  if (input !== undefined && dataField !== undefined && Buffer.compare(input, dataField) !== 0) {
    fail(at, 'both "data" and "input" are set and not equal; use "input"')
  }
  const req: CallRequest = {
    from: opt(address, o.from, `${at}.from`),
    to: opt(address, o.to, `${at}.to`),
    gas: opt(quantity, o.gas, `${at}.gas`),
    gasPrice: opt(quantity, o.gasPrice, `${at}.gasPrice`),
    maxFeePerGas: opt(quantity, o.maxFeePerGas, `${at}.maxFeePerGas`),
    maxPriorityFeePerGas: opt(quantity, o.maxPriorityFeePerGas, `${at}.maxPriorityFeePerGas`),
    value: opt(quantity, o.value, `${at}.value`),
    data: input ?? dataField,
    nonce: opt(quantity, o.nonce, `${at}.nonce`),
    accessList: opt(accessList, o.accessList, `${at}.accessList`),
    authorizationList: opt(authorizationList, o.authorizationList, `${at}.authorizationList`),
  }
  if (req.gasPrice !== undefined && (req.maxFeePerGas !== undefined || req.maxPriorityFeePerGas !== undefined)) {
    fail(at, 'both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified')
  }
  return req
}

export const stateOverrides: Parser<StateOverrides> = (v, at) => {
  const o = object(v, at)
  const out: StateOverrides = new Map()
  for (const [addr, raw] of Object.entries(o)) {
    const a = address(addr, `${at} key`)
    const acc = object(raw, `${at}["${addr}"]`)
    const slots = (x: unknown, where: string): Map<string, Uint8Array> | undefined => {
      if (x === undefined || x === null) return undefined
      const m = new Map<string, Uint8Array>()
      for (const [k, val] of Object.entries(object(x, where))) m.set(`0x${Buffer.from(slot(k, `${where} key`)).toString('hex')}`, slot(val, `${where}["${k}"]`))
      return m
    }
    const override: AccountOverride = {
      balance: opt(quantity, acc.balance, `${at}["${addr}"].balance`),
      nonce: opt(quantity, acc.nonce, `${at}["${addr}"].nonce`),
      code: opt(bytes, acc.code, `${at}["${addr}"].code`),
      state: slots(acc.state, `${at}["${addr}"].state`),
      stateDiff: slots(acc.stateDiff, `${at}["${addr}"].stateDiff`),
    }
    if (override.state !== undefined && override.stateDiff !== undefined) fail(`${at}["${addr}"]`, 'has both state and stateDiff')
    out.set(`0x${Buffer.from(a).toString('hex')}`, override)
  }
  return out
}

export interface FilterParams {
  fromBlock?: bigint | BlockTag
  toBlock?: bigint | BlockTag
  blockHash?: Uint8Array
  addresses: Uint8Array[]
  topics: Array<Uint8Array[] | null>
}

/** The filter object of eth_getLogs / eth_newFilter / logs subscriptions. */
export const filter: Parser<FilterParams> = (v, at) => {
  const o = object(v ?? {}, at)
  const blockHash = opt(hash, o.blockHash, `${at}.blockHash`)
  if (blockHash !== undefined && (o.fromBlock !== undefined || o.toBlock !== undefined)) {
    fail(at, 'cannot specify both blockHash and fromBlock/toBlock, choose one or the other')
  }
  let addresses: Uint8Array[] = []
  if (Array.isArray(o.address)) addresses = o.address.map((a, i) => address(a, `${at}.address[${i}]`))
  else if (o.address !== undefined && o.address !== null) addresses = [address(o.address, `${at}.address`)]
  const topicsRaw = o.topics ?? []
  if (!Array.isArray(topicsRaw)) fail(`${at}.topics`, 'expected an array')
  if (topicsRaw.length > 4) fail(`${at}.topics`, 'at most 4 topic positions')
  const topics = topicsRaw.map((t, i) => {
    if (t === null) return null
    if (Array.isArray(t)) return t.map((x, j) => hash(x, `${at}.topics[${i}][${j}]`))
    return [hash(t, `${at}.topics[${i}]`)]
  })
  return {
    fromBlock: opt(blockNumberOrTag, o.fromBlock, `${at}.fromBlock`),
    toBlock: opt(blockNumberOrTag, o.toBlock, `${at}.toBlock`),
    blockHash,
    addresses,
    topics,
  }
}

export const none: Parser<undefined> = (v, at) => {
  if (v !== undefined) fail(at, 'unexpected argument')
  return undefined
}

export const any: Parser<unknown> = (v) => v
