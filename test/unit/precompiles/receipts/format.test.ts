import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hashTypedData, recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  RECEIPT_TYPES, ReceiptFormatError, decodeReceiptBatch, decodeReceiptBatchItems, receiptRaw, domainSeparator, encodeReceiptBatch, receiptDigest,
} from '../../../../precompiles/receipts/format.ts'
import type { InferenceReceipt } from '../../../../precompiles/receipts/format.ts'
import { decodeOutcome, encodeOutcomes } from '../../../../precompiles/receipts/outcome.ts'
import type { SettlementOutcome } from '../../../../precompiles/receipts/outcome.ts'

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as `0x${string}`
const verifyingContract = Uint8Array.from(Buffer.from('4f50414c00000000000000000000000000000005', 'hex'))

function sample(i = 1): InferenceReceipt {
  return {
    chainId: 31337n,
    adapterId: BigInt(i),
    modelId: 7n,
    requestId: new Uint8Array(32).fill(i),
    payer: new Uint8Array(20).fill(0xaa),
    inputTokens: 120n,
    outputTokens: 480n,
    fee: 600n * 10n ** 12n,
    issuedAt: 1_764_000_000n,
    expiry: 1_764_000_600n,
    sketch: Int8Array.from({ length: 128 }, (_, k) => ((k * 37 + i) % 256) - 128),
    spans: [{ contributionId: 3n, matchedTokens: 12n }, { contributionId: 9n, matchedTokens: 1n }],
  }
}

const typed = (r: InferenceReceipt) => ({
  domain: { name: 'opal', version: '1', chainId: Number(r.chainId), verifyingContract: hex(verifyingContract) },
  types: RECEIPT_TYPES,
  primaryType: 'InferenceReceipt' as const,
  message: {
    ...r,
    requestId: hex(r.requestId),
    payer: hex(r.payer),
    sketch: hex(new Uint8Array(r.sketch.buffer, r.sketch.byteOffset, r.sketch.byteLength)),
    spans: r.spans.map((s) => ({ contributionId: s.contributionId, matchedTokens: Number(s.matchedTokens) })),
  },
})

test('the hand-written EIP-712 digest equals viem hashTypedData, with and without spans, for integers of every width', () => {
  const wide = { ...sample(4), fee: 2n ** 53n + 1n, modelId: 2n ** 255n + 3n, spans: [{ contributionId: 2n ** 64n + 9n, matchedTokens: 2n ** 32n - 1n }] }
  for (const r of [sample(1), { ...sample(2), spans: [] }, { ...sample(3), sketch: new Int8Array(0) }, wide, { ...sample(5), fee: 2n ** 53n - 1n, inputTokens: 0n }]) {
    const ours = receiptDigest(r, domainSeparator(r.chainId, verifyingContract))
    assert.equal(hex(ours), hashTypedData(typed(r) as never))
  }
})

test('a signature made by viem recovers to the server over our digest; batches round-trip', async () => {
  const server = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
  const signed = []
  for (let i = 1; i <= 3; i++) {
    // the third with integers wider than 6 bytes, decoded through the long path
    const r = i === 3 ? { ...sample(i), fee: 2n ** 70n + 1n, issuedAt: 2n ** 56n + 5n, expiry: 2n ** 64n - 1n } : sample(i)
    const sig = await server.signTypedData(typed(r) as never)
    signed.push({ ...r, signature: Uint8Array.from(Buffer.from(sig.slice(2), 'hex')) })
  }
  const batch = encodeReceiptBatch(signed)
  const decoded = decodeReceiptBatch(batch)
  assert.equal(decoded.length, 3)
  // each receipt's bytes in the batch are its one encoding, kept instead of made again
  assert.deepEqual(decodeReceiptBatchItems(batch).map((e) => [...e.raw]), signed.map((r) => [...receiptRaw(r)]))
  for (const [i, d] of decoded.entries()) {
    assert.deepEqual({ ...d, sketch: [...d.sketch] }, { ...signed[i], sketch: [...signed[i].sketch] })
    const digest = receiptDigest(d, domainSeparator(d.chainId, verifyingContract))
    const who = await recoverTypedDataAddress({ ...(typed(d) as object), signature: hex(d.signature) } as never)
    assert.equal(who, server.address)
    assert.equal(hex(digest), hashTypedData(typed(d) as never))
  }
})

test('malformed batches are refused with the field named', () => {
  assert.throws(() => decodeReceiptBatch(Uint8Array.from([0xc1])), ReceiptFormatError)
  const good = { ...sample(1), signature: new Uint8Array(65) }
  const bad = encodeReceiptBatch([{ ...good, requestId: new Uint8Array(31) }])
  assert.throws(() => decodeReceiptBatch(bad), /receipt 0: requestId: expected 32 bytes/)
  const spans = encodeReceiptBatch([{ ...good, spans: Array.from({ length: 65 }, () => ({ contributionId: 1n, matchedTokens: 1n })) }])
  assert.throws(() => decodeReceiptBatch(spans), /spans: at most 64/)
})

test('stored outcomes read back as written, quantities past 2^64 included, a block\'s outcomes sharing one buffer', () => {
  const o: SettlementOutcome = {
    hash: new Uint8Array(32).fill(1), txIndex: 3, status: 'settled', reason: '', server: new Uint8Array(20).fill(2), payer: new Uint8Array(20).fill(3),
    adapterId: 7n, modelId: (1n << 200n) + 5n, requestId: new Uint8Array(32).fill(4), fee: (1n << 70n) + 1n,
    parts: { contributors: 1n << 69n, modelOwner: 0n, adapterOwner: 12n, server: (1n << 64n) - 1n, treasury: 1n << 64n },
    mode: 'indexed', candidates: 100_000,
    attribution: [
      { contributionId: 9n, score: 123_456n, matchedTokens: 0n, amount: (1n << 255n) + 77n },
      { contributionId: 1n << 64n, score: 1n, matchedTokens: 40n, amount: 0n },
    ],
  }
  const blockHash = new Uint8Array(32).fill(9)
  // wider than the buffer's first estimate: it grows while the views written before stay whole
  const many = Array.from({ length: 40 }, (_, i) => ({ ...o, txIndex: i }))
  const encoded = encodeOutcomes([...many, { ...o, status: 'rejected', reason: 'the receipt expired', mode: '', attribution: [] }], 1234n, blockHash)
  assert.equal(encoded.length, 41)
  const { attribution, ...rest } = o
  for (const [i, raw] of encoded.slice(0, 40).entries()) {
    assert.deepEqual(decodeOutcome(o.hash, raw), { ...rest, txIndex: i, blockNumber: 1234n, blockHash, attribution })
  }
  const rejected = decodeOutcome(o.hash, encoded[40])
  assert.equal(rejected.reason, 'the receipt expired')
  assert.deepEqual(rejected.attribution, [])
  assert.throws(() => decodeOutcome(o.hash, Uint8Array.of(0xf8, 0)), /unknown receipt outcome format 248/)
})

test('stored outcome quantities round-trip at every varint width boundary, and a record cut short is refused', () => {
  const edges = [0n, 1n, 127n, 128n, 16_383n, 16_384n, (1n << 49n) - 1n, 1n << 49n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 56n) - 1n, (1n << 256n) - 1n]
  const o: SettlementOutcome = {
    hash: new Uint8Array(32).fill(1), txIndex: 0, status: 'settled', reason: '', server: new Uint8Array(20), payer: new Uint8Array(20),
    adapterId: 1n, modelId: 2n, requestId: new Uint8Array(32), fee: (1n << 256n) - 1n, parts: { contributors: 0n, modelOwner: 1n, adapterOwner: 2n, server: 3n, treasury: 4n },
    mode: 'exact', candidates: 3,
    attribution: edges.map((e, i) => ({ contributionId: e, score: edges[edges.length - 1 - i], matchedTokens: e, amount: e })),
  }
  const [raw] = encodeOutcomes([o], 1n << 53n, new Uint8Array(32))
  assert.equal(raw[0], 2)
  const back = decodeOutcome(o.hash, raw)
  assert.deepEqual(back.attribution, o.attribution)
  assert.equal(back.fee, o.fee)
  assert.equal(back.blockNumber, 1n << 53n)
  // a share of small quantities (id, score, tokens, amount of a typical receipt) is a few bytes, not 36
  const [small] = encodeOutcomes([{ ...o, attribution: [{ contributionId: 70_000n, score: 40_000n, matchedTokens: 0n, amount: 21_875_000_000n }] }], 1n, new Uint8Array(32))
  const [none] = encodeOutcomes([{ ...o, attribution: [] }], 1n, new Uint8Array(32))
  assert.equal(small.length - none.length, 3 + 3 + 1 + 5)
  assert.throws(() => decodeOutcome(o.hash, raw.subarray(0, raw.length - 1)), /truncated/)
  assert.throws(() => encodeOutcomes([{ ...o, fee: 1n << 256n }], 1n, new Uint8Array(32)), /below 2\^256/)
  assert.throws(() => encodeOutcomes([{ ...o, fee: -1n }], 1n, new Uint8Array(32)), /negative/)
})

test('outcomes stored in the earlier width-prefixed format (1) still read', () => {
  const parts: number[] = [1]
  const wide = (v: bigint) => {
    parts.push(8)
    for (let s = 56n; s >= 0n; s -= 8n) parts.push(Number((v >> s) & 0xffn))
  }
  const bytes = (b: Uint8Array) => parts.push(b.length >> 8, b.length & 0xff, ...b)
  const u32 = (n: number) => parts.push(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
  const text = (t: string) => bytes(new TextEncoder().encode(t))
  wide(42n); bytes(new Uint8Array(32).fill(5)); u32(1); text('settled'); text('')
  bytes(new Uint8Array(20).fill(2)); bytes(new Uint8Array(20).fill(3)); wide(7n); wide(8n); bytes(new Uint8Array(32).fill(4)); wide(1000n)
  for (const v of [700n, 100n, 100n, 50n, 50n]) wide(v)
  text('indexed'); u32(100_000); u32(1)
  wide(9n); wide(1234n); wide(0n); wide(700n)
  const back = decodeOutcome(new Uint8Array(32), Uint8Array.from(parts))
  assert.equal(back.blockNumber, 42n)
  assert.equal(back.fee, 1000n)
  assert.deepEqual(back.parts, { contributors: 700n, modelOwner: 100n, adapterOwner: 100n, server: 50n, treasury: 50n })
  assert.deepEqual(back.attribution, [{ contributionId: 9n, score: 1234n, matchedTokens: 0n, amount: 700n }])
  assert.equal(back.mode, 'indexed')
})
