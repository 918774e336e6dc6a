// opal_ receipt methods for inference servers: submit signed receipts (JSON objects, or one RLP
// batch for high volume), and look up what became of them.
import { RpcCode, RpcError } from '../../errors.ts'
import { data, quantity as q } from '../../hex.ts'
import type { MethodContext, MethodTable } from '../../method.ts'
import { bytes, hash, parseParams, required } from '../../params.ts'
import { ReceiptFormatError, decodeReceiptBatchItems, receiptRaw } from '../../../precompiles/receipts/format.ts'
import type { EncodedReceipt, SignedReceipt } from '../../../precompiles/receipts/format.ts'
import { receiptFromJson } from '../../../precompiles/receipts/json.ts'
import type { SettledReceipt } from '../../../precompiles/receipts/outcome.ts'
import type { ReceiptService } from '../../interface.ts'

/** Most receipts in one submission. */
export const MAX_RECEIPTS_PER_CALL = 10_000

function service(ctx: MethodContext): ReceiptService {
  if (ctx.backend.receipts === undefined) throw new RpcError(RpcCode.MethodNotSupported, 'this node does not take inference receipts')
  return ctx.backend.receipts
}

/** Each entry parses on its own: a malformed receipt is rejected without sinking the rest. */
function parseList(v: unknown, at: string): Array<EncodedReceipt | string> {
  if (!Array.isArray(v)) throw new RpcError(RpcCode.InvalidParams, `${at}: expected an array of receipts`)
  if (v.length === 0) throw new RpcError(RpcCode.InvalidParams, `${at}: no receipts`)
  if (v.length > MAX_RECEIPTS_PER_CALL) throw new RpcError(RpcCode.LimitExceeded, `${at}: at most ${MAX_RECEIPTS_PER_CALL} receipts per call`)
  return v.map((r) => {
    try {
      const receipt = receiptFromJson(r)
      return { receipt, raw: receiptRaw(receipt) }
    } catch (err) {
      if (err instanceof ReceiptFormatError) return `malformed receipt: ${err.message}`
      throw err
    }
  })
}

async function submit(ctx: MethodContext, items: Array<EncodedReceipt | string>) {
  const parsed = items.filter((x): x is EncodedReceipt => typeof x !== 'string')
  const answers = await service(ctx).submit(parsed)
  let k = 0
  return items.map((x) => {
    if (typeof x === 'string') return { status: 'rejected', reason: x }
    const a = answers[k++]
    return 'hash' in a ? { status: 'accepted', hash: data(a.hash) } : { status: 'rejected', reason: a.reason }
  })
}

export const receiptMethods: MethodTable = {
  opal_receiptPoolStatus: (params, ctx) => {
    parseParams(params, [])
    return { pending: q(BigInt(service(ctx).pendingCount())) }
  },
  opal_receiptDomain: (params, ctx) => {
    parseParams(params, [])
    const d = service(ctx).domain()
    return { name: d.name, version: d.version, chainId: `0x${d.chainId.toString(16)}`, verifyingContract: data(d.verifyingContract) }
  },
  opal_submitReceipts: async (params, ctx) => {
    const [items] = parseParams(params, [required(parseList)])
    return submit(ctx, items)
  },
  opal_submitReceiptBatch: async (params, ctx) => {
    const [raw] = parseParams(params, [required(bytes)])
    let receipts: EncodedReceipt[]
    try {
      receipts = decodeReceiptBatchItems(raw)
    } catch (err) {
      if (err instanceof ReceiptFormatError) throw new RpcError(RpcCode.InvalidParams, `invalid argument 0: ${err.message}`)
      throw err
    }
    if (receipts.length > MAX_RECEIPTS_PER_CALL) throw new RpcError(RpcCode.LimitExceeded, `at most ${MAX_RECEIPTS_PER_CALL} receipts per call`)
    return submit(ctx, receipts)
  },
  opal_getReceipt: async (params, ctx) => {
    const [h] = parseParams(params, [required(hash)])
    const s = await service(ctx).status(h)
    if (s === null) return null
    if (s.status === 'pending') return { hash: data(h), status: 'pending', server: data(s.signer), ...receiptFields(s.receipt) }
    return outcomeJson(s.outcome)
  },
}

function receiptFields(r: Pick<SignedReceipt, 'adapterId' | 'modelId' | 'requestId' | 'payer' | 'fee'>) {
  return { adapterId: q(r.adapterId), modelId: q(r.modelId), requestId: data(r.requestId), payer: data(r.payer), fee: q(r.fee) }
}

/** A settled or refused receipt: where, why, who was paid what, and for which contributions. */
function outcomeJson(o: SettledReceipt) {
  return {
    hash: data(o.hash),
    status: o.status,
    reason: o.status === 'rejected' ? o.reason : null,
    blockNumber: q(o.blockNumber),
    blockHash: data(o.blockHash),
    transactionIndex: q(BigInt(o.txIndex)),
    server: data(o.server),
    ...receiptFields(o),
    split: o.status === 'settled'
      ? { contributors: q(o.parts.contributors), modelOwner: q(o.parts.modelOwner), adapterOwner: q(o.parts.adapterOwner), server: q(o.parts.server), treasury: q(o.parts.treasury) }
      : null,
    attribution: o.status === 'settled'
      ? {
          mode: o.mode,
          candidates: q(BigInt(o.candidates)),
          contributions: o.attribution.map((a) => ({
            contributionId: q(a.contributionId), datanetId: q(a.datanetId), contributor: data(a.contributor), score: q(a.score),
            matchedTokens: q(a.matchedTokens), weight: q(a.weight), amount: q(a.amount),
          })),
        }
      : null,
  }
}
