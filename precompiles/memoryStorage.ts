// Storage in memory, keyed by account: genesis seeding runs the registries' own record functions
// against it, and the slots it ends up with go into the genesis allocation.
import type { Address } from '@ethereumjs/util'
import type { StorageAccess } from './framework/storage.ts'

export class MemoryStorage implements StorageAccess {
  readonly accounts = new Map<string, Map<string, Uint8Array>>()

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    return this.accounts.get(address.toString())?.get(Buffer.from(key).toString('hex')) ?? new Uint8Array()
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const a = address.toString()
    let slots = this.accounts.get(a)
    if (slots === undefined) {
      slots = new Map()
      this.accounts.set(a, slots)
    }
    const k = Buffer.from(key).toString('hex')
    if (value.length === 0) slots.delete(k)
    else slots.set(k, value)
  }

  entries(address: Address): Array<[Uint8Array, Uint8Array]> {
    return [...(this.accounts.get(address.toString()) ?? new Map<string, Uint8Array>())].map(([k, v]) => [Uint8Array.from(Buffer.from(k, 'hex')), v])
  }
}
