// The rule on a model's scoring graph: a receipt is refused when the chain cannot run the graph,
// and, while settling, a node that merely lacks a registered graph's bytes stops instead of
// refusing (which would settle the block differently from the nodes that have them).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Address } from '@ethereumjs/util'
import type { ModelInfo, Scoring } from '../../../../precompiles/attribution/engine.ts'
import { GraphBytesMissing } from '../../../../precompiles/attribution/engine.ts'
import { compileScoringGraph } from '../../../../precompiles/attribution/customGraph.ts'
import { defaultGraphTemplate } from '../../../../precompiles/attribution/onnx/graph.ts'
import type { InferenceReceipt } from '../../../../precompiles/receipts/format.ts'
import { Reason, checkRecords } from '../../../../precompiles/receipts/rules.ts'
import type { ReceiptTerms } from '../../../../precompiles/receipts/terms.ts'
import { ServerStatus } from '../../../../precompiles/servers/records.ts'

const someone = new Address(new Uint8Array(20).fill(1))
const receipt: InferenceReceipt = {
  chainId: 1n, adapterId: 1n, modelId: 7n, requestId: new Uint8Array(32), payer: new Uint8Array(20), inputTokens: 600n, outputTokens: 400n,
  fee: 1000n, issuedAt: 100n, expiry: 200n, sketch: new Int8Array(8), spans: [],
}

function termsWith(scoring: Scoring): ReceiptTerms {
  const model: ModelInfo = {
    modelId: 7n, owner: someone, dim: 8, k: 4, configuredMode: 0, scoringGraphId: new Uint8Array(32).fill(9), defaultGraph: scoring.by === 'default',
    scoring, prefixes: [], flagged: new Map(),
  }
  const terms = {
    server: async () => ({ operator: someone, stake: 10n, status: ServerStatus.Active, unbondingSince: 0n }),
    adapter: async () => ({ modelId: 7n, owner: someone, pricePerKTokens: 1000n, active: true, deactivatedAt: 0n, previousPrice: 0n, priceSince: 0n }),
    model: async () => model,
  }
  return terms as unknown as ReceiptTerms
}

test('a model scored by a graph this node runs passes; one the interpreter refuses is refused everywhere', async () => {
  for (const scoring of [{ by: 'default' }, { by: 'graph', graph: compileScoringGraph(defaultGraphTemplate()) }] as Scoring[]) {
    for (const fresh of [true, false]) {
      const r = await checkRecords(receipt, new Uint8Array(20), termsWith(scoring), 1n, fresh)
      assert.notEqual(typeof r, 'string', `${scoring.by}, fresh ${fresh}`)
    }
  }
  const refused: Scoring = { by: 'none', missing: false, reason: 'opset 40 is not one this interpreter implements' }
  for (const fresh of [true, false]) assert.equal(await checkRecords(receipt, new Uint8Array(20), termsWith(refused), 1n, fresh), Reason.graphUnavailable)
})

test('missing bytes: refused when submitted, a non-Revert error when settling', async () => {
  const missing: Scoring = { by: 'none', missing: true, reason: 'this node does not have the bytes of scoring graph 0x09…' }
  assert.equal(await checkRecords(receipt, new Uint8Array(20), termsWith(missing), 1n, true), Reason.graphUnavailable)
  await assert.rejects(checkRecords(receipt, new Uint8Array(20), termsWith(missing), 1n, false), (e: unknown) => e instanceof GraphBytesMissing && /does not have the bytes/.test(e.message))
})
