// What became of a settled receipt, as the node keeps it beside the block (not in the state):
// rejected with a reason, or settled with the fee's split and the contributions it paid.
// Stored in a compact binary form (below), keyed by the receipt's hash (its EIP-712 digest).

export interface AttributionShare {
  contributionId: bigint
  datanetId: bigint
  contributor: Uint8Array
  /** max(0, sketch · query), exact */
  score: bigint
  /** tokens of span evidence the receipt gave for it */
  matchedTokens: bigint
  /** score + spanWeight × matchedTokens */
  weight: bigint
  /** wei of OPEN credited */
  amount: bigint
}

export interface FeeParts {
  contributors: bigint
  modelOwner: bigint
  adapterOwner: bigint
  server: bigint
  /** the treasury's share plus every rounding remainder */
  treasury: bigint
}

export interface SettlementOutcome {
  /** the receipt's EIP-712 digest */
  hash: Uint8Array
  txIndex: number
  status: 'settled' | 'rejected'
  reason: string
  /** the recovered signer (zeros if the signature recovered none) */
  server: Uint8Array
  payer: Uint8Array
  adapterId: bigint
  modelId: bigint
  requestId: Uint8Array
  fee: bigint
  parts: FeeParts
  mode: 'exact' | 'indexed' | ''
  candidates: number
  /** by candidate index (contribution id) ascending */
  attribution: StoredShare[]
}

/** What is kept of a share: the rest (Datanet, contributor, weight) follows from it and the registry. */
export type StoredShare = Pick<AttributionShare, 'contributionId' | 'score' | 'matchedTokens' | 'amount'>

export interface StoredOutcome extends Omit<SettlementOutcome, 'attribution'> {
  blockNumber: bigint
  blockHash: Uint8Array
  attribution: StoredShare[]
}

/** A stored outcome with its shares completed from the registry: what opal_getReceipt answers. */
export interface SettledReceipt extends Omit<StoredOutcome, 'attribution'> {
  attribution: AttributionShare[]
}

/**
 * The stored form: a version byte, then fixed-width fields (quantities as a width byte, 8 or 32,
 * and big-endian bytes). A block settles thousands of receipts of up to k shares each; RLP of
 * minimal big-endian bytes cost ≈ 80 µs a receipt here (a hex string per quantity), this ≈ 3 µs.
 */
const FORMAT = 1
const MAX_U64 = (1n << 64n) - 1n

class Writer {
  #buf: Uint8Array
  #view: DataView
  at = 0

  constructor(size: number) {
    this.#buf = new Uint8Array(size)
    this.#view = new DataView(this.#buf.buffer)
  }

  #room(n: number): void {
    if (this.at + n <= this.#buf.length) return
    const next = new Uint8Array(Math.max(2 * this.#buf.length, this.at + n))
    next.set(this.#buf)
    this.#buf = next
    this.#view = new DataView(next.buffer)
  }

  u8(n: number): void {
    this.#room(1)
    this.#buf[this.at++] = n
  }

  u32(n: number): void {
    this.#room(4)
    this.#view.setUint32(this.at, n)
    this.at += 4
  }

  bytes(b: Uint8Array): void {
    this.#room(2 + b.length)
    this.#view.setUint16(this.at, b.length)
    this.#buf.set(b, this.at + 2)
    this.at += 2 + b.length
  }

  /** a non-negative quantity below 2²⁵⁶ */
  big(b: bigint): void {
    if (b <= MAX_U64) {
      this.#room(9)
      this.#buf[this.at] = 8
      this.#view.setBigUint64(this.at + 1, b)
      this.at += 9
      return
    }
    this.#room(33)
    this.#buf[this.at] = 32
    for (let i = 3; i >= 0; i--) this.#view.setBigUint64(this.at + 1 + 8 * (3 - i), (b >> BigInt(64 * i)) & MAX_U64)
    this.at += 33
  }

  /** the bytes written from `start`: a view, which later writes leave alone */
  since(start: number): Uint8Array {
    return this.#buf.subarray(start, this.at)
  }
}

class Reader {
  readonly #buf: Uint8Array
  readonly #view: DataView
  at = 0

  constructor(buf: Uint8Array) {
    this.#buf = buf
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  u8(): number {
    return this.#buf[this.at++]
  }

  u32(): number {
    const n = this.#view.getUint32(this.at)
    this.at += 4
    return n
  }

  bytes(): Uint8Array {
    const n = this.#view.getUint16(this.at)
    const b = this.#buf.slice(this.at + 2, this.at + 2 + n)
    this.at += 2 + n
    return b
  }

  big(): bigint {
    const width = this.#buf[this.at++]
    let v = 0n
    for (let o = 0; o < width; o += 8) v = (v << 64n) | this.#view.getBigUint64(this.at + o)
    this.at += width
    return v
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
/** statuses, modes and rejection reasons are a few fixed strings: each is encoded once */
const encoded = new Map<string, Uint8Array>()
const utf8 = (text: string): Uint8Array => {
  let b = encoded.get(text)
  if (b === undefined) {
    b = encoder.encode(text)
    if (encoded.size < 256) encoded.set(text, b)
  }
  return b
}

/**
 * A block's outcomes, written into one buffer: each is a view of it. A buffer per outcome (a
 * kilobyte and more, outside the JS heap) cost ten times the encoding itself in a busy node.
 */
export function encodeOutcomes(outcomes: SettlementOutcome[], blockNumber: bigint, blockHash: Uint8Array): Uint8Array[] {
  const w = new Writer(outcomes.reduce((n, o) => n + 256 + 40 * o.attribution.length, 0))
  return outcomes.map((o) => {
    const start = w.at
    writeOutcome(w, o, blockNumber, blockHash)
    return w.since(start)
  })
}

function writeOutcome(w: Writer, o: SettlementOutcome, blockNumber: bigint, blockHash: Uint8Array): void {
  w.u8(FORMAT)
  w.big(blockNumber)
  w.bytes(blockHash)
  w.u32(o.txIndex)
  w.bytes(utf8(o.status))
  w.bytes(utf8(o.reason))
  w.bytes(o.server)
  w.bytes(o.payer)
  w.big(o.adapterId)
  w.big(o.modelId)
  w.bytes(o.requestId)
  w.big(o.fee)
  const p = o.parts
  w.big(p.contributors)
  w.big(p.modelOwner)
  w.big(p.adapterOwner)
  w.big(p.server)
  w.big(p.treasury)
  w.bytes(utf8(o.mode))
  w.u32(o.candidates)
  // only what cannot be looked up is kept of a share
  w.u32(o.attribution.length)
  for (const a of o.attribution) {
    w.big(a.contributionId)
    w.big(a.score)
    w.big(a.matchedTokens)
    w.big(a.amount)
  }
}

export function decodeOutcome(hash: Uint8Array, raw: Uint8Array): StoredOutcome {
  const r = new Reader(raw)
  const format = r.u8()
  if (format !== FORMAT) throw new Error(`unknown receipt outcome format ${format}`)
  const blockNumber = r.big()
  const blockHash = r.bytes()
  const txIndex = r.u32()
  const status = decoder.decode(r.bytes()) as SettlementOutcome['status']
  const reason = decoder.decode(r.bytes())
  const server = r.bytes()
  const payer = r.bytes()
  const adapterId = r.big()
  const modelId = r.big()
  const requestId = r.bytes()
  const fee = r.big()
  const parts: FeeParts = { contributors: r.big(), modelOwner: r.big(), adapterOwner: r.big(), server: r.big(), treasury: r.big() }
  const mode = decoder.decode(r.bytes()) as SettlementOutcome['mode']
  const candidates = r.u32()
  const attribution: StoredShare[] = Array.from({ length: r.u32() }, () => ({ contributionId: r.big(), score: r.big(), matchedTokens: r.big(), amount: r.big() }))
  return { hash, blockNumber, blockHash, txIndex, status, reason, server, payer, adapterId, modelId, requestId, fee, parts, mode, candidates, attribution }
}

export const NO_PARTS: FeeParts = { contributors: 0n, modelOwner: 0n, adapterOwner: 0n, server: 0n, treasury: 0n }
