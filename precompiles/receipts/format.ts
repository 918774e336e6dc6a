// The inference receipt: what a GPU inference server signs (EIP-712 typed data) when it has
// served request R with adapter A for payer P, and how a batch of them is encoded into the data
// of the sequencer's settlement transaction.
//
// The EIP-712 hash is computed here by hand for this one fixed type: it runs for every receipt
// submitted and settled (tens of thousands per second), and a generic typed-data encoder is an
// order of magnitude slower. Tests check it against viem's hashTypedData.
import { RLP } from '@ethereumjs/rlp'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { decodeRlpList } from '../framework/rlp.ts'

export interface Span {
  contributionId: bigint
  matchedTokens: bigint
}

export interface InferenceReceipt {
  chainId: bigint
  adapterId: bigint
  modelId: bigint
  /** 32 bytes chosen by the server, unique per request */
  requestId: Uint8Array
  /** 20-byte address whose escrow pays */
  payer: Uint8Array
  inputTokens: bigint
  outputTokens: bigint
  /** adapter price × tokens, in wei of OPEN */
  fee: bigint
  /** unix seconds */
  issuedAt: bigint
  expiry: bigint
  /** the output's int8 sketch, of the model's dimension */
  sketch: Int8Array
  spans: Span[]
}

export interface SignedReceipt extends InferenceReceipt {
  /** 65 bytes r ‖ s ‖ v (v = 27/28 or 0/1) */
  signature: Uint8Array
}

export const RECEIPT_DOMAIN_NAME = 'opal'
export const RECEIPT_DOMAIN_VERSION = '1'
export const MAX_SPANS = 64
export const MAX_SKETCH_BYTES = 1024

/** The type definition servers sign, as viem/ethers take it. */
export const RECEIPT_TYPES = {
  InferenceReceipt: [
    { name: 'chainId', type: 'uint256' },
    { name: 'adapterId', type: 'uint256' },
    { name: 'modelId', type: 'uint256' },
    { name: 'requestId', type: 'bytes32' },
    { name: 'payer', type: 'address' },
    { name: 'inputTokens', type: 'uint64' },
    { name: 'outputTokens', type: 'uint64' },
    { name: 'fee', type: 'uint256' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'expiry', type: 'uint64' },
    { name: 'sketch', type: 'bytes' },
    { name: 'spans', type: 'Span[]' },
  ],
  Span: [
    { name: 'contributionId', type: 'uint256' },
    { name: 'matchedTokens', type: 'uint32' },
  ],
} as const

const utf8 = (s: string) => new TextEncoder().encode(s)
const DOMAIN_TYPEHASH = keccak_256(utf8('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'))
const SPAN_TYPEHASH = keccak_256(utf8('Span(uint256 contributionId,uint32 matchedTokens)'))
const RECEIPT_TYPEHASH = keccak_256(
  utf8(
    'InferenceReceipt(uint256 chainId,uint256 adapterId,uint256 modelId,bytes32 requestId,address payer,uint64 inputTokens,uint64 outputTokens,uint256 fee,uint64 issuedAt,uint64 expiry,bytes sketch,Span[] spans)Span(uint256 contributionId,uint32 matchedTokens)',
  ),
)

export type Keccak = (data: Uint8Array) => Uint8Array

/** keccak(EIP712Domain(name "opal", version "1", chainId, verifyingContract)). */
export function domainSeparator(chainId: bigint, verifyingContract: Uint8Array, keccak: Keccak = keccak_256): Uint8Array {
  const words = new Uint8Array(32 * 5)
  words.set(DOMAIN_TYPEHASH, 0)
  words.set(keccak(utf8(RECEIPT_DOMAIN_NAME)), 32)
  words.set(keccak(utf8(RECEIPT_DOMAIN_VERSION)), 64)
  putUint(words, 96, chainId)
  words.set(verifyingContract, 128 + 12)
  return keccak(words)
}

// Scratch words for the hash: filled and hashed synchronously, so one set serves every call.
// Receipts are hashed once when submitted and again when settled, tens of thousands a second, and
// fresh buffers of these sizes live outside the JS heap (hundreds of bytes each): allocating them
// showed as a tenth of the digest's time in the node.
const RECEIPT_WORDS = new Uint8Array(32 * 13)
RECEIPT_WORDS.set(RECEIPT_TYPEHASH, 0)
const SPAN_WORDS = new Uint8Array(32 * 3)
SPAN_WORDS.set(SPAN_TYPEHASH, 0)
const MESSAGE = new Uint8Array(66)
MESSAGE[0] = 0x19
MESSAGE[1] = 0x01
const NO_SPANS = keccak_256(new Uint8Array(0))

export function receiptStructHash(r: InferenceReceipt, keccak: Keccak = keccak_256): Uint8Array {
  const words = RECEIPT_WORDS
  words.fill(0, 32)
  putUint(words, 32, r.chainId)
  putUint(words, 64, r.adapterId)
  putUint(words, 96, r.modelId)
  words.set(r.requestId, 128)
  words.set(r.payer, 160 + 12)
  putUint(words, 192, r.inputTokens)
  putUint(words, 224, r.outputTokens)
  putUint(words, 256, r.fee)
  putUint(words, 288, r.issuedAt)
  putUint(words, 320, r.expiry)
  words.set(keccak(new Uint8Array(r.sketch.buffer, r.sketch.byteOffset, r.sketch.byteLength)), 352)
  words.set(r.spans.length === 0 ? NO_SPANS : spansHash(r.spans, keccak), 384)
  return keccak(words)
}

function spansHash(spans: Span[], keccak: Keccak): Uint8Array {
  const hashes = new Uint8Array(32 * spans.length)
  const span = SPAN_WORDS
  spans.forEach((s, i) => {
    span.fill(0, 32)
    putUint(span, 32, s.contributionId)
    putUint(span, 64, s.matchedTokens)
    hashes.set(keccak(span), 32 * i)
  })
  return keccak(hashes)
}

/** The digest the server signs: keccak(0x19 0x01 ‖ domainSeparator ‖ structHash). It is also the receipt's id. */
export function receiptDigest(r: InferenceReceipt, separator: Uint8Array, keccak: Keccak = keccak_256): Uint8Array {
  const struct = receiptStructHash(r, keccak)
  MESSAGE.set(separator, 2)
  MESSAGE.set(struct, 34)
  return keccak(MESSAGE)
}

const U256 = 1n << 256n
const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function putUint(target: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value >= U256) throw new RangeError('value out of uint256 range')
  // most fields (ids, token counts, times, fees in wei up to 9·10^15) fit a double: no bigint steps
  let i = offset + 31
  if (value <= SAFE) {
    for (let n = Number(value); n > 0; i--) {
      target[i] = n % 256
      n = Math.floor(n / 256)
    }
    return
  }
  for (let v = value; i >= offset && v > 0n; i--) {
    target[i] = Number(v & 0xffn)
    v >>= 8n
  }
}

// ── batch encoding: RLP list of receipts, each a list of its fields ────────────────────────────

const big = (b: bigint): Uint8Array => {
  if (b === 0n) return new Uint8Array()
  let hex = b.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

export function encodeReceipt(r: SignedReceipt): Array<Uint8Array | Uint8Array[][]> {
  return [
    big(r.chainId), big(r.adapterId), big(r.modelId), r.requestId, r.payer,
    big(r.inputTokens), big(r.outputTokens), big(r.fee), big(r.issuedAt), big(r.expiry),
    new Uint8Array(r.sketch.buffer, r.sketch.byteOffset, r.sketch.byteLength),
    r.spans.map((s) => [big(s.contributionId), big(s.matchedTokens)]),
    r.signature,
  ] as Array<Uint8Array | Uint8Array[][]>
}

export function encodeReceiptBatch(receipts: SignedReceipt[]): Uint8Array {
  return RLP.encode(receipts.map(encodeReceipt) as never)
}

/** A batch of receipts already encoded one by one (as pools keep them): their RLP under one list header. */
export function joinReceiptBatch(items: Uint8Array[]): Uint8Array {
  const length = items.reduce((n, i) => n + i.length, 0)
  let header: Uint8Array
  if (length < 56) header = Uint8Array.of(0xc0 + length)
  else {
    const len = []
    for (let n = length; n > 0; n = Math.floor(n / 256)) len.unshift(n % 256)
    header = Uint8Array.from([0xf7 + len.length, ...len])
  }
  const out = new Uint8Array(header.length + length)
  out.set(header, 0)
  let o = header.length
  for (const i of items) {
    out.set(i, o)
    o += i.length
  }
  return out
}

export class ReceiptFormatError extends Error {}

/** Decodes one receipt from its RLP fields; throws ReceiptFormatError naming the bad field. */
export function decodeReceiptFields(fields: unknown): SignedReceipt {
  if (!Array.isArray(fields) || fields.length !== 13) throw new ReceiptFormatError('a receipt is a list of 13 fields')
  const bytes = (i: number, name: string, max: number): Uint8Array => {
    const v = fields[i]
    if (!(v instanceof Uint8Array)) throw new ReceiptFormatError(`${name}: expected bytes`)
    if (v.length > max) throw new ReceiptFormatError(`${name}: longer than ${max} bytes`)
    return v
  }
  const uint = (i: number, name: string, maxBytes = 32): bigint => decodeUintField(bytes(i, name, maxBytes), name, maxBytes)
  const exact = (i: number, name: string, len: number): Uint8Array => {
    const v = bytes(i, name, len)
    if (v.length !== len) throw new ReceiptFormatError(`${name}: expected ${len} bytes`)
    return v
  }
  const spansRaw = fields[11]
  if (!Array.isArray(spansRaw)) throw new ReceiptFormatError('spans: expected a list')
  if (spansRaw.length > MAX_SPANS) throw new ReceiptFormatError(`spans: at most ${MAX_SPANS}`)
  const spans = spansRaw.map((s, j) => {
    if (!Array.isArray(s) || s.length !== 2 || !(s[0] instanceof Uint8Array) || !(s[1] instanceof Uint8Array)) {
      throw new ReceiptFormatError(`spans[${j}]: expected [contributionId, matchedTokens]`)
    }
    const sub = decodeUintField(s[0], `spans[${j}].contributionId`, 32)
    const tokens = decodeUintField(s[1], `spans[${j}].matchedTokens`, 4)
    return { contributionId: sub, matchedTokens: tokens }
  })
  const sketchBytes = bytes(10, 'sketch', MAX_SKETCH_BYTES)
  return {
    chainId: uint(0, 'chainId'),
    adapterId: uint(1, 'adapterId'),
    modelId: uint(2, 'modelId'),
    requestId: exact(3, 'requestId', 32),
    payer: exact(4, 'payer', 20),
    inputTokens: uint(5, 'inputTokens', 8),
    outputTokens: uint(6, 'outputTokens', 8),
    fee: uint(7, 'fee'),
    issuedAt: uint(8, 'issuedAt', 8),
    expiry: uint(9, 'expiry', 8),
    sketch: new Int8Array(sketchBytes.buffer, sketchBytes.byteOffset, sketchBytes.byteLength),
    spans,
    signature: exact(12, 'signature', 65),
  }
}

function decodeUintField(v: Uint8Array, name: string, maxBytes: number): bigint {
  if (v.length > maxBytes) throw new ReceiptFormatError(`${name}: longer than ${maxBytes} bytes`)
  if (v.length > 0 && v[0] === 0) throw new ReceiptFormatError(`${name}: non-canonical integer (leading zero)`)
  return uintOf(v)
}

/** A big-endian unsigned integer; up to 6 bytes (most fields) without a hex string. */
function uintOf(v: Uint8Array): bigint {
  if (v.length <= 6) {
    let n = 0
    for (const b of v) n = n * 256 + b
    return BigInt(n)
  }
  return BigInt(`0x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`)
}

/**
 * A receipt decoded from a batch with the bytes that encode it (a view of the batch). Decoding is
 * strict (canonical RLP, integers without leading zeros, exact lengths), so those bytes are the
 * one encoding of the receipt, receiptRaw(receipt): kept, they need not be made again.
 */
export interface EncodedReceipt {
  receipt: SignedReceipt
  raw: Uint8Array
}

/** A receipt's RLP as batches, the pool's journal and gossip hold it. */
export function receiptRaw(r: SignedReceipt): Uint8Array {
  return RLP.encode(encodeReceipt(r) as never)
}

export function decodeReceiptBatchItems(data: Uint8Array): EncodedReceipt[] {
  // an RLP list starts with 0xc0 or above
  if (data.length === 0 || data[0] < 0xc0) throw new ReceiptFormatError('a batch is a list of receipts')
  let list: Array<{ item: unknown; encoded: Uint8Array }>
  try {
    list = decodeRlpList(data)
  } catch (err) {
    throw new ReceiptFormatError(`malformed RLP: ${(err as Error).message}`)
  }
  return list.map(({ item, encoded }, i) => {
    try {
      return { receipt: decodeReceiptFields(item), raw: encoded }
    } catch (err) {
      throw new ReceiptFormatError(`receipt ${i}: ${(err as Error).message}`)
    }
  })
}

export function decodeReceiptBatch(data: Uint8Array): SignedReceipt[] {
  return decodeReceiptBatchItems(data).map((e) => e.receipt)
}
