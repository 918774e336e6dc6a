// Small integers that name the accounts settlement credits, and per candidate set what each
// candidate pays into: the per-share loops of a batch (tens of thousands of shares a block) index
// arrays by these numbers instead of hashing address strings and converting bigint ids.
//
// The numbers are a cache of this process, never part of the state: what is written is keyed by
// the address, and which number an address got changes nothing a block computes.
import type { Candidates } from '../attribution/engine.ts'
import { hexKey } from '../framework/hex.ts'

const idByKey = new Map<string, number>()
const keys: string[] = []
/** the same few address arrays (owners, servers, treasury) are credited by every receipt */
const idByArray = new WeakMap<Uint8Array, number>()

/** The payee number of an address (its 20 bytes), made the first time it is seen. */
export function payeeOf(address: Uint8Array): number {
  let id = idByArray.get(address)
  if (id === undefined) {
    id = payeeOfKey(hexKey(address))
    idByArray.set(address, id)
  }
  return id
}

function payeeOfKey(key: string): number {
  let id = idByKey.get(key)
  if (id === undefined) {
    id = keys.length
    keys.push(key)
    idByKey.set(key, id)
  }
  return id
}

/** The address (hex, no prefix) a payee number names. */
export function payeeKey(id: number): string {
  return keys[id]
}

/** Per candidate of a set: the payee of its contributor, its contribution id and its Datanet id as numbers (ids are counters). */
export interface CandidatePayees {
  payee: Int32Array
  /** plain arrays of small integers, not Float64Array: map keys read from them need no boxing */
  id: number[]
  datanet: number[]
}

const tables = new WeakMap<Candidates, CandidatePayees>()

/** The set's table, made once per candidate set (≈ 50 ms for 100,000 candidates). */
export function candidatePayees(c: Candidates): CandidatePayees {
  let t = tables.get(c)
  if (t === undefined) {
    const n = c.ids.length
    t = { payee: new Int32Array(n), id: c.ids.map(Number), datanet: c.datanetOf.map(Number) }
    for (let i = 0; i < n; i++) t.payee[i] = payeeOfKey(hexKey(c.contributors[i]))
    tables.set(c, t)
  }
  return t
}
