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
 * The stored form: a version byte, then the fields in order; quantities as LEB128 varints (7 bits a
 * byte, low first), byte strings with a 16-bit length. A block settles thousands of receipts of up
 * to k shares each, every one kept on disk: a typical share (id, score, tokens, amount) takes ≈ 12
 * bytes this way against 36 as width-prefixed 64-bit words (format 1, still read), and a receipt
 * of 32 shares 568 bytes against 1,378. Encoding costs ≈ 3.6 µs a receipt against ≈ 2 µs; the
 * disk a busy node fills is what this saves.
 */
const FORMAT = 2
/** width-prefixed 64- or 256-bit words */
const FORMAT_WIDE = 1

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

  /** a quantity of the chain (0 ≤ b < 2²⁵⁶: at most 37 bytes), as a LEB128 varint */
  quantity(b: bigint): void {
    this.#room(37)
    const buf = this.#buf
    // Number() rounds monotonically and 2^53 is a double, so n is exact whenever it is a safe
    // integer: ids, scores, tokens and most amounts never touch bigint arithmetic
    let n = Number(b)
    if (n < 0) throw new RangeError(`a stored quantity cannot be negative: ${b}`)
    if (n <= Number.MAX_SAFE_INTEGER) {
      let at = this.at
      for (; n >= 0x80000000; n = Math.floor(n / 128)) buf[at++] = (n % 128) | 128
      for (; n >= 128; n >>>= 7) buf[at++] = (n & 127) | 128
      buf[at++] = n
      this.at = at
      return
    }
    if (b >> 256n !== 0n) throw new RangeError(`a stored quantity must be below 2^256: ${b}`)
    while (b >= 128n) {
      buf[this.at++] = Number(b & 127n) | 128
      b >>= 7n
    }
    buf[this.at++] = Number(b)
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

  #byte(): number {
    if (this.at >= this.#buf.length) throw new Error('receipt outcome record is truncated')
    return this.#buf[this.at++]
  }

  /** format 1: a width byte (8 or 32), then that many big-endian bytes */
  wide(): bigint {
    const width = this.#byte()
    let v = 0n
    for (let o = 0; o < width; o += 8) v = (v << 64n) | this.#view.getBigUint64(this.at + o)
    this.at += width
    return v
  }

  /** a LEB128 varint: up to 7 bytes (49 bits) summed as a double, the rest as bigint */
  quantity(): bigint {
    let n = 0
    let scale = 1
    for (let i = 0; i < 7; i++) {
      const byte = this.#byte()
      n += (byte & 127) * scale
      if (byte < 128) return BigInt(n)
      scale *= 128
    }
    let v = BigInt(n)
    for (let shift = 49n; ; shift += 7n) {
      const byte = this.#byte()
      v |= BigInt(byte & 127) << shift
      if (byte < 128) return v
    }
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
  const w = new Writer(outcomes.reduce((n, o) => n + 256 + 16 * o.attribution.length, 0))
  return outcomes.map((o) => {
    const start = w.at
    writeOutcome(w, o, blockNumber, blockHash)
    return w.since(start)
  })
}

function writeOutcome(w: Writer, o: SettlementOutcome, blockNumber: bigint, blockHash: Uint8Array): void {
  w.u8(FORMAT)
  w.quantity(blockNumber)
  w.bytes(blockHash)
  w.u32(o.txIndex)
  w.bytes(utf8(o.status))
  w.bytes(utf8(o.reason))
  w.bytes(o.server)
  w.bytes(o.payer)
  w.quantity(o.adapterId)
  w.quantity(o.modelId)
  w.bytes(o.requestId)
  w.quantity(o.fee)
  const p = o.parts
  w.quantity(p.contributors)
  w.quantity(p.modelOwner)
  w.quantity(p.adapterOwner)
  w.quantity(p.server)
  w.quantity(p.treasury)
  w.bytes(utf8(o.mode))
  w.u32(o.candidates)
  // only what cannot be looked up is kept of a share
  w.u32(o.attribution.length)
  for (const a of o.attribution) {
    w.quantity(a.contributionId)
    w.quantity(a.score)
    w.quantity(a.matchedTokens)
    w.quantity(a.amount)
  }
}

export function decodeOutcome(hash: Uint8Array, raw: Uint8Array): StoredOutcome {
  const r = new Reader(raw)
  const format = r.u8()
  if (format !== FORMAT && format !== FORMAT_WIDE) throw new Error(`unknown receipt outcome format ${format}`)
  const q = format === FORMAT ? () => r.quantity() : () => r.wide()
  const blockNumber = q()
  const blockHash = r.bytes()
  const txIndex = r.u32()
  const status = decoder.decode(r.bytes()) as SettlementOutcome['status']
  const reason = decoder.decode(r.bytes())
  const server = r.bytes()
  const payer = r.bytes()
  const adapterId = q()
  const modelId = q()
  const requestId = r.bytes()
  const fee = q()
  const parts: FeeParts = { contributors: q(), modelOwner: q(), adapterOwner: q(), server: q(), treasury: q() }
  const mode = decoder.decode(r.bytes()) as SettlementOutcome['mode']
  const candidates = r.u32()
  const attribution: StoredShare[] = Array.from({ length: r.u32() }, () => ({ contributionId: q(), score: q(), matchedTokens: q(), amount: q() }))
  return { hash, blockNumber, blockHash, txIndex, status, reason, server, payer, adapterId, modelId, requestId, fee, parts, mode, candidates, attribution }
}

export const NO_PARTS: FeeParts = { contributors: 0n, modelOwner: 0n, adapterOwner: 0n, server: 0n, treasury: 0n }
