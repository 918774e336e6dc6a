// What became of a settled receipt, as the node keeps it beside the block (not in the state):
// rejected with a reason, or settled with the fee's split and the contributions it paid.
// Stored as RLP, keyed by the receipt's hash (its EIP-712 digest).
import { RLP } from '@ethereumjs/rlp'

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
  attribution: AttributionShare[]
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

const big = (b: bigint): Uint8Array => {
  if (b === 0n) return new Uint8Array()
  let hex = b.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}
const num = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`))
const text = (s: string) => new TextEncoder().encode(s)

export function encodeOutcome(o: SettlementOutcome, blockNumber: bigint, blockHash: Uint8Array): Uint8Array {
  const p = o.parts
  return RLP.encode([
    big(blockNumber), blockHash, big(BigInt(o.txIndex)), text(o.status), text(o.reason), o.server, o.payer,
    big(o.adapterId), big(o.modelId), o.requestId, big(o.fee),
    [big(p.contributors), big(p.modelOwner), big(p.adapterOwner), big(p.server), big(p.treasury)],
    text(o.mode), big(BigInt(o.candidates)),
    // thousands of receipts a block, up to k shares each: only what cannot be looked up is kept
    o.attribution.map((a) => [big(a.contributionId), big(a.score), big(a.matchedTokens), big(a.amount)]),
  ])
}

export function decodeOutcome(hash: Uint8Array, raw: Uint8Array): StoredOutcome {
  const f = RLP.decode(raw) as unknown as Array<Uint8Array | Uint8Array[] | Uint8Array[][]>
  const b = (i: number) => f[i] as Uint8Array
  const parts = (f[11] as Uint8Array[]).map(num)
  const dec = (x: Uint8Array) => new TextDecoder().decode(x)
  return {
    hash,
    blockNumber: num(b(0)),
    blockHash: b(1),
    txIndex: Number(num(b(2))),
    status: dec(b(3)) as SettlementOutcome['status'],
    reason: dec(b(4)),
    server: b(5),
    payer: b(6),
    adapterId: num(b(7)),
    modelId: num(b(8)),
    requestId: b(9),
    fee: num(b(10)),
    parts: { contributors: parts[0], modelOwner: parts[1], adapterOwner: parts[2], server: parts[3], treasury: parts[4] },
    mode: dec(b(12)) as SettlementOutcome['mode'],
    candidates: Number(num(b(13))),
    attribution: (f[14] as Uint8Array[][]).map((a) => ({ contributionId: num(a[0]), score: num(a[1]), matchedTokens: num(a[2]), amount: num(a[3]) })),
  }
}

export const NO_PARTS: FeeParts = { contributors: 0n, modelOwner: 0n, adapterOwner: 0n, server: 0n, treasury: 0n }
