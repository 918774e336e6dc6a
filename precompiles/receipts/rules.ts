// The rules a receipt must meet to be settled, as pure functions of the receipt and the state's
// records. Settlement applies them (consensus); the node's receipt pool applies the same
// functions when a server submits, so a receipt it acknowledges will settle.
import type { AdapterTerms } from '../adapters/records.ts'
import { activeAt, priceAt } from '../adapters/records.ts'
import type { ModelInfo } from '../attribution/engine.ts'
import { GraphBytesMissing } from '../attribution/scoringGraphs.ts'
import type { ServerTerms } from '../servers/records.ts'
import { ServerStatus } from '../servers/records.ts'
import type { ReceiptSettings } from '../settings.ts'
import type { InferenceReceipt } from './format.ts'
import type { ReceiptTerms } from './terms.ts'

/** Why a receipt is refused. The wording is part of the API: servers match on it. */
export const Reason = {
  wrongChain: 'wrong chain id',
  validityTooLong: 'validity (expiry - issuedAt) exceeds the maximum',
  expiryBeforeIssue: 'expiry is before issuedAt',
  issuedInFuture: 'issued in the future',
  expired: 'expired',
  badSignature: 'invalid signature',
  unknownServer: 'signer is not a registered inference server',
  serverInactive: 'inference server is not active or holds less than the minimum stake',
  unknownAdapter: 'unknown adapter',
  adapterInactive: 'adapter is deactivated',
  wrongModel: 'adapter is not of the receipt model',
  wrongFee: 'fee does not match adapter price x tokens',
  unknownModel: 'unknown model',
  /** the interpreter refuses the graph (on every node), or, submitting, this node lacks its bytes */
  graphUnavailable: 'the model cites a scoring graph this chain does not execute',
  wrongSketch: 'sketch size does not match the model dimension',
  replayed: 'request already settled',
  insufficientEscrow: 'payer escrow does not cover the fee',
} as const

/** fee = price per 1,000 tokens × (input + output tokens) / 1,000, rounded down. */
function expectedFee(pricePerKTokens: bigint, r: Pick<InferenceReceipt, 'inputTokens' | 'outputTokens'>): bigint {
  return (pricePerKTokens * (r.inputTokens + r.outputTokens)) / 1000n
}

/** Chain, validity window and time: checked first, they need no state. */
export function checkTimes(r: InferenceReceipt, chainId: bigint, now: bigint, s: ReceiptSettings): string | undefined {
  if (r.chainId !== chainId) return Reason.wrongChain
  if (r.expiry < r.issuedAt) return Reason.expiryBeforeIssue
  if (r.expiry - r.issuedAt > s.maxTtl) return Reason.validityTooLong
  if (r.issuedAt > now + s.maxClockSkew) return Reason.issuedInFuture
  if (now > r.expiry) return Reason.expired
  return undefined
}

/**
 * The signer must be a server that takes receipts: active with the minimum stake — or unbonding,
 * for receipts it issued before it asked to leave (its stake is still held, and slashable).
 */
function checkServer(t: ServerTerms, r: InferenceReceipt, minStake: bigint): string | undefined {
  if (t.status === ServerStatus.None) return Reason.unknownServer
  if (t.status === ServerStatus.Active && t.stake >= minStake) return undefined
  if (t.status === ServerStatus.Unbonding && r.issuedAt < t.unbondingSince && t.stake > 0n) return undefined
  return Reason.serverInactive
}

/** The adapter served the request when the receipt was issued, is the model's, at the price then. */
function checkAdapter(a: AdapterTerms | undefined, r: InferenceReceipt): string | undefined {
  if (a === undefined) return Reason.unknownAdapter
  if (!activeAt(a, r.issuedAt)) return Reason.adapterInactive
  if (a.modelId !== r.modelId) return Reason.wrongModel
  if (r.fee !== expectedFee(priceAt(a, r.issuedAt), r)) return Reason.wrongFee
  return undefined
}

function checkSketch(dim: number, r: InferenceReceipt): string | undefined {
  return r.sketch.length === dim ? undefined : Reason.wrongSketch
}

export interface Records {
  server: ServerTerms
  adapter: AdapterTerms
  model: ModelInfo
}

/**
 * Server, adapter, model and sketch, against the records. `fresh`: a receipt being submitted now,
 * which also needs a server that has not asked to leave and an adapter serving now (settlement
 * still takes what was issued before either).
 */
export async function checkRecords(r: InferenceReceipt, signer: Uint8Array, terms: ReceiptTerms, minStake: bigint, fresh: boolean): Promise<Records | string> {
  const server = await terms.server(signer)
  if (fresh && server.status === ServerStatus.Unbonding) return Reason.serverInactive
  const serverProblem = checkServer(server, r, minStake)
  if (serverProblem !== undefined) return serverProblem
  const adapter = await terms.adapter(r.adapterId)
  if (fresh && adapter !== undefined && !adapter.active) return Reason.adapterInactive
  const adapterProblem = checkAdapter(adapter, r)
  if (adapterProblem !== undefined || adapter === undefined) return adapterProblem ?? Reason.unknownAdapter
  const model = await terms.model(r.modelId)
  if (model === undefined) return Reason.unknownModel
  if (model.scoring.by === 'none') {
    // settling, a node that lacks the bytes of a graph the chain registered cannot judge the
    // receipt: refusing it would settle the block differently from every node that has them
    if (model.scoring.missing && !fresh) throw new GraphBytesMissing(`cannot settle a receipt of model ${model.modelId}: ${model.scoring.reason}`)
    return Reason.graphUnavailable
  }
  const sketchProblem = checkSketch(model.dim, r)
  if (sketchProblem !== undefined) return sketchProblem
  return { server, adapter, model }
}
