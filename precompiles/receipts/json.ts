// Receipts in JSON, as opal_submitReceipts takes them: numbers as 0x quantities (or decimal
// strings), bytes as 0x hex, the int8 sketch as 0x hex of its bytes (two's complement).
import type { SignedReceipt } from './format.ts'
import { MAX_SKETCH_BYTES, MAX_SPANS, ReceiptFormatError } from './format.ts'

export interface ReceiptJson {
  chainId: string
  adapterId: string
  modelId: string
  requestId: string
  payer: string
  inputTokens: string
  outputTokens: string
  fee: string
  issuedAt: string
  expiry: string
  sketch: string
  spans: Array<{ contributionId: string; matchedTokens: string }>
  signature: string
}

const q = (n: bigint) => `0x${n.toString(16)}`
const h = (b: Uint8Array) => `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`

export function receiptToJson(r: SignedReceipt): ReceiptJson {
  return {
    chainId: q(r.chainId),
    adapterId: q(r.adapterId),
    modelId: q(r.modelId),
    requestId: h(r.requestId),
    payer: h(r.payer),
    inputTokens: q(r.inputTokens),
    outputTokens: q(r.outputTokens),
    fee: q(r.fee),
    issuedAt: q(r.issuedAt),
    expiry: q(r.expiry),
    sketch: h(new Uint8Array(r.sketch.buffer, r.sketch.byteOffset, r.sketch.byteLength)),
    spans: r.spans.map((s) => ({ contributionId: q(s.contributionId), matchedTokens: q(s.matchedTokens) })),
    signature: h(r.signature),
  }
}

/** Parses one receipt object; throws ReceiptFormatError naming the field. */
export function receiptFromJson(v: unknown): SignedReceipt {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ReceiptFormatError('expected a receipt object')
  const o = v as Record<string, unknown>
  const uint = (name: string, maxBits = 256): bigint => {
    const x = o[name]
    let n: bigint
    if (typeof x === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(x)) n = BigInt(x)
    else if (typeof x === 'string' && /^[0-9]{1,78}$/.test(x)) n = BigInt(x)
    else if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) n = BigInt(x)
    else throw new ReceiptFormatError(`${name}: expected a non-negative integer (0x hex or decimal string)`)
    if (n >= 1n << BigInt(maxBits)) throw new ReceiptFormatError(`${name}: does not fit in ${maxBits} bits`)
    return n
  }
  const bytes = (name: string, len?: number, max?: number): Uint8Array => {
    const x = o[name]
    if (typeof x !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(x)) throw new ReceiptFormatError(`${name}: expected 0x hex bytes`)
    const b = Uint8Array.from(Buffer.from(x.slice(2), 'hex'))
    if (len !== undefined && b.length !== len) throw new ReceiptFormatError(`${name}: expected ${len} bytes, got ${b.length}`)
    if (max !== undefined && b.length > max) throw new ReceiptFormatError(`${name}: at most ${max} bytes`)
    return b
  }
  const spansRaw = o.spans ?? []
  if (!Array.isArray(spansRaw)) throw new ReceiptFormatError('spans: expected an array')
  if (spansRaw.length > MAX_SPANS) throw new ReceiptFormatError(`spans: at most ${MAX_SPANS}`)
  const spans = spansRaw.map((s, i) => {
    const inner = receiptSpan(s, i)
    return inner
  })
  const sketch = bytes('sketch', undefined, MAX_SKETCH_BYTES)
  return {
    chainId: uint('chainId'),
    adapterId: uint('adapterId'),
    modelId: uint('modelId'),
    requestId: bytes('requestId', 32),
    payer: bytes('payer', 20),
    inputTokens: uint('inputTokens', 64),
    outputTokens: uint('outputTokens', 64),
    fee: uint('fee'),
    issuedAt: uint('issuedAt', 64),
    expiry: uint('expiry', 64),
    sketch: new Int8Array(sketch.buffer, sketch.byteOffset, sketch.byteLength),
    spans,
    signature: bytes('signature', 65),
  }
}

function receiptSpan(s: unknown, i: number): { contributionId: bigint; matchedTokens: bigint } {
  if (typeof s !== 'object' || s === null) throw new ReceiptFormatError(`spans[${i}]: expected {contributionId, matchedTokens}`)
  const o = s as Record<string, unknown>
  const num = (name: string, bits: number): bigint => {
    const x = o[name]
    const ok = (typeof x === 'string' && (/^0x[0-9a-fA-F]{1,64}$/.test(x) || /^[0-9]{1,78}$/.test(x))) || (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
    if (!ok) throw new ReceiptFormatError(`spans[${i}].${name}: expected a non-negative integer`)
    const n = BigInt(x as string | number)
    if (n >= 1n << BigInt(bits)) throw new ReceiptFormatError(`spans[${i}].${name}: does not fit in ${bits} bits`)
    return n
  }
  return { contributionId: num('contributionId', 256), matchedTokens: num('matchedTokens', 32) }
}
