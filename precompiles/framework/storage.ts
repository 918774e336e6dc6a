// A precompile's storage: 32-byte slots in its own account, in the state trie, so the state root
// covers it and reverts undo it. Slots are derived the way Solidity derives them (keccak of key
// and base), under a namespace per record type; reads and writes are metered.
import { Address } from '@ethereumjs/util'
import type { GasMeter } from './gas.ts'
import { loadKeccak } from './keccak.ts'

// every slot a precompile touches is a keccak of key and base
export const keccak = (await loadKeccak()).fn

/** What a precompile needs of the state: the state manager satisfies it. */
export interface StorageAccess {
  getStorage(address: Address, key: Uint8Array): Promise<Uint8Array>
  putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void>
}

const ZERO = new Uint8Array(32)

export function namespace(name: string): bigint {
  return toBig(keccak(new TextEncoder().encode(name)))
}

/** keccak(key ‖ base): the slot of key in a mapping at base, as Solidity lays it out. */
export function mapSlot(base: bigint, key: bigint | Uint8Array): bigint {
  const buf = new Uint8Array(64)
  buf.set(typeof key === 'bigint' ? word(key) : pad32(key), 0)
  buf.set(word(base), 32)
  return toBig(keccak(buf))
}

/** Where the items of a dynamic array or the chunks of a byte string at `slot` start. */
export function dataSlot(slot: bigint): bigint {
  return toBig(keccak(word(slot)))
}

const MAX_WORD = (1n << 256n) - 1n

// through hex: one string conversion instead of 32 BigInt shifts (a quarter of a settlement's
// slot arithmetic, measured)
export function word(n: bigint): Uint8Array {
  const out = new Uint8Array(32)
  if (n === 0n) return out
  const hex = (n & MAX_WORD).toString(16)
  Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').copy(out, 32 - Math.ceil(hex.length / 2))
  return out
}

export function toBig(b: Uint8Array): bigint {
  if (b.length === 0) return 0n
  return BigInt(`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`)
}

function pad32(b: Uint8Array): Uint8Array {
  if (b.length === 32) return b
  const out = new Uint8Array(32)
  out.set(b, 32 - b.length)
  return out
}

function strip(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.subarray(i)
}

/** Typed, metered slot access for one account. Without a meter (genesis, RPC reads) it is free. */
export class Store {
  readonly address: Address
  readonly #state: StorageAccess
  readonly #meter: GasMeter | undefined
  readonly #readOnly: boolean

  constructor(state: StorageAccess, address: Address, meter?: GasMeter, readOnly = false) {
    this.#state = state
    this.address = address
    this.#meter = meter
    this.#readOnly = readOnly
  }

  /** The same storage in another account (precompiles read each other's records). */
  at(address: Address): Store {
    return new Store(this.#state, address, this.#meter, true)
  }

  async raw(slot: bigint): Promise<Uint8Array> {
    return this.rawAt(word(slot))
  }

  /** A slot by its 32-byte word: slots hashed from bytes (replay records) skip the bigint round trip. */
  async rawAt(slot: Uint8Array): Promise<Uint8Array> {
    this.#meter?.charge(this.#meter.gas.read)
    return pad32(await this.#state.getStorage(this.address, slot))
  }

  async u(slot: bigint): Promise<bigint> {
    return toBig(await this.raw(slot))
  }

  async addr(slot: bigint): Promise<Address> {
    return new Address((await this.raw(slot)).subarray(12))
  }

  async b32(slot: bigint): Promise<Uint8Array> {
    return this.raw(slot)
  }

  async setRaw(slot: bigint, value: Uint8Array): Promise<void> {
    await this.setRawAt(word(slot), value)
  }

  async setRawAt(slot: Uint8Array, value: Uint8Array): Promise<void> {
    if (this.#readOnly) throw new Error('read-only storage')
    if (this.#meter !== undefined) {
      const before = await this.#state.getStorage(this.address, slot)
      this.#meter.charge(before.length === 0 ? this.#meter.gas.writeNew : this.#meter.gas.writeExisting)
    }
    await this.#state.putStorage(this.address, slot, strip(pad32(value)))
  }

  async setU(slot: bigint, value: bigint): Promise<void> {
    await this.setRaw(slot, word(value))
  }

  async setAddr(slot: bigint, a: Address): Promise<void> {
    await this.setRaw(slot, pad32(a.bytes))
  }

  /**
   * Byte strings as Solidity stores them: up to 31 bytes inline in the slot with 2 × length in
   * the last byte; longer, 2 × length + 1 in the slot and the bytes in 32-byte chunks from
   * keccak(slot). Short names and URIs cost one slot read.
   */
  async bytes(slot: bigint): Promise<Uint8Array> {
    const head = await this.raw(slot)
    const tag = head[31]
    if ((tag & 1) === 0) return head.slice(0, tag >> 1)
    const len = Number(toBig(head) >> 1n)
    const out = new Uint8Array(len)
    const start = dataSlot(slot)
    for (let i = 0; i * 32 < len; i++) out.set((await this.raw(start + BigInt(i))).subarray(0, Math.min(32, len - i * 32)), i * 32)
    return out
  }

  async setBytes(slot: bigint, data: Uint8Array): Promise<void> {
    if (data.length <= 31) {
      const head = new Uint8Array(32)
      head.set(data, 0)
      head[31] = data.length * 2
      await this.setRaw(slot, head)
      return
    }
    await this.setU(slot, BigInt(data.length) * 2n + 1n)
    const start = dataSlot(slot)
    for (let i = 0; i * 32 < data.length; i++) {
      const chunk = new Uint8Array(32)
      chunk.set(data.subarray(i * 32, i * 32 + 32))
      await this.setRaw(start + BigInt(i), chunk)
    }
  }

  async string(slot: bigint): Promise<string> {
    return new TextDecoder().decode(await this.bytes(slot))
  }

  async setString(slot: bigint, s: string): Promise<void> {
    await this.setBytes(slot, new TextEncoder().encode(s))
  }

  /** Dynamic arrays of words: the length at `slot`, the items from keccak(slot). */
  async length(slot: bigint): Promise<bigint> {
    return this.u(slot)
  }

  async item(slot: bigint, i: bigint): Promise<bigint> {
    return this.u(dataSlot(slot) + i)
  }

  async push(slot: bigint, value: bigint): Promise<bigint> {
    const n = await this.u(slot)
    await this.setU(dataSlot(slot) + n, value)
    await this.setU(slot, n + 1n)
    return n
  }

  /** Many slots read at once: the reads overlap (cold trie nodes are disk reads). */
  async many(slots: bigint[]): Promise<bigint[]> {
    return Promise.all(slots.map((x) => this.u(x)))
  }

  async list(slot: bigint, from: bigint, count: bigint): Promise<bigint[]> {
    const start = dataSlot(slot)
    const out: bigint[] = []
    for (let i = 0n; i < count; i++) out.push(await this.u(start + from + i))
    return out
  }

  isZero(b: Uint8Array): boolean {
    return b.every((x) => x === 0) || b.length === 0 || Buffer.compare(b, ZERO) === 0
  }
}
