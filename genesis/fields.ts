// Field readers for genesis JSON: each names the JSON path of a bad value in its error.
import { GenesisError } from './errors.ts'
import type { Hex } from './types.ts'

export type JsonObject = Record<string, unknown>

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function object(field: string, v: unknown): JsonObject {
  if (!isObject(v)) throw new GenesisError(field, `expected an object, got ${describe(v)}`)
  return v
}

/** A non-negative integer: a JSON number (safe integer), a decimal string or a 0x hex string. */
export function quantity(field: string, v: unknown): bigint {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  } else if (typeof v === 'string') {
    if (/^0x[0-9a-fA-F]+$/.test(v)) return BigInt(v)
    if (/^[0-9]+$/.test(v)) return BigInt(v)
  } else if (typeof v === 'bigint' && v >= 0n) {
    return v
  }
  throw new GenesisError(field, `expected a non-negative integer (number, decimal string or 0x hex), got ${describe(v)}`)
}

export function optionalQuantity(field: string, v: unknown, fallback: bigint): bigint {
  return v === undefined ? fallback : quantity(field, v)
}

export function smallInt(field: string, v: unknown, min: number, max: number): number {
  const q = quantity(field, v)
  if (q < BigInt(min) || q > BigInt(max)) throw new GenesisError(field, `must be between ${min} and ${max}, got ${q}`)
  return Number(q)
}

export function address(field: string, v: unknown): Hex {
  if (typeof v !== 'string' || !/^(0x)?[0-9a-fA-F]{40}$/.test(v)) {
    throw new GenesisError(field, `expected a 20-byte 0x hex address, got ${describe(v)}`)
  }
  return (v.startsWith('0x') ? v.toLowerCase() : `0x${v.toLowerCase()}`) as Hex
}

export function hexBytes(field: string, v: unknown): Uint8Array {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v)) {
    throw new GenesisError(field, `expected 0x-prefixed hex bytes of even length, got ${describe(v)}`)
  }
  return Uint8Array.from(Buffer.from(v.slice(2), 'hex'))
}

/** A 32-byte word given as 0x hex of up to 32 bytes; returned left-padded to 32 bytes. */
export function word(field: string, v: unknown): Hex {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(v)) {
    throw new GenesisError(field, `expected 0x hex of at most 32 bytes, got ${describe(v)}`)
  }
  return `0x${v.slice(2).toLowerCase().padStart(64, '0')}` as Hex
}

export function string(field: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw new GenesisError(field, `expected a non-empty string, got ${describe(v)}`)
  return v
}

export function boolean(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new GenesisError(field, `expected true or false, got ${describe(v)}`)
  return v
}

export function rejectUnknown(field: string, obj: JsonObject, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      throw new GenesisError(field === '' ? key : `${field}.${key}`, `unknown field (known: ${known.join(', ')})`)
    }
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)'
  const s = typeof v === 'bigint' ? `${v}` : JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s
}
