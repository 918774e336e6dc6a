// What a settlement charges for the state it changes, counted as consensus defines it: one
// settleAccount per escrow or claimable balance the batch changes (an address credited by several
// parts of a fee, or by several receipts, once), one settleContribution per contribution paid, one
// settleCounter per Datanet paid and per version counter. The same batch is settled under two gas
// schedules that differ only in those prices, and the difference gives the counts.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BlockProducer, Chain, TxPool, chainPoolBackend, loadCrypto } from '../../../../chain/index.ts'
import type { OpalCrypto } from '../../../../chain/index.ts'
import { ReceiptPool } from '../../../../chain/receipts/pool.ts'
import { DEV_SEQUENCER_INDEX, DEV_SERVER_INDEX, devAccount, devExamplePrecompiles, devGenesis } from '../../../../genesis/index.ts'
import { createPrecompileParts } from '../../../../node/precompiles.ts'
import type { PrecompileParts } from '../../../../node/precompiles.ts'
import { DEFAULT_GRAPH_ID } from '../../../../precompiles/attribution/onnx/defaultGraph.ts'
import { DEFAULT_ADDRESSES, GAS } from '../../../../precompiles/index.ts'
import { domainSeparator, receiptDigest, receiptRaw } from '../../../../precompiles/receipts/format.ts'
import type { SignedReceipt } from '../../../../precompiles/receipts/format.ts'
import { silent, tempDir } from '../../chain/fixtures.ts'

const NOW = 1_700_000_000n
const bytesOf = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex')
const parts: PrecompileParts[] = []
const chains: Chain[] = []
let crypto: OpalCrypto

before(async () => {
  crypto = await loadCrypto()
})

after(async () => {
  for (const c of chains) await c.close()
  for (const p of parts) await p.close()
})

/** Receipts of the example adapter with sketches that score the example contributions differently. */
function receipts(separator: Uint8Array): SignedReceipt[] {
  return [1, 2].map((n) => {
    const sketch = new Int8Array(128)
    for (let i = 0; i < sketch.length; i++) sketch[i] = ((i * 37 + n * 11) % 200) - 100
    const requestId = new Uint8Array(32).fill(n)
    const r = { chainId: 31337n, adapterId: 1n, modelId: 1n, requestId, payer: bytesOf(devAccount(0).address), inputTokens: 700n, outputTokens: 300n, fee: 1_000_000_000_000_000n, issuedAt: NOW, expiry: NOW + 600n, sketch, spans: [] }
    const { signature, recid } = crypto.ecdsaSign(receiptDigest(r, separator, crypto.keccak256), bytesOf(devAccount(DEV_SERVER_INDEX).privateKey))
    const sig = new Uint8Array(65)
    sig.set(signature)
    sig[64] = 27 + recid
    return { ...r, signature: sig }
  })
}

/** Settles the two receipts in a block under the genesis gas schedule `gas`; the settlement's gas and what each receipt credited, by address. */
async function settle(gas: Record<string, string>) {
  const genesis = devGenesis({ timestamp: NOW - 10n, precompiles: { ...devExamplePrecompiles(DEFAULT_GRAPH_ID), gas } })
  const p = await createPrecompileParts(genesis, crypto, { kernel: 'js', threads: 1 })
  parts.push(p)
  const chain = await Chain.open({ dataDir: tempDir(), genesis, crypto, extensions: p.precompiles })
  chains.push(chain)
  const pool = new ReceiptPool(chain, p.settings, p.engine, p.receiptSigners)
  const producer = new BlockProducer(chain, new TxPool(chain.common, chainPoolBackend(chain), {}, p.signatures), {
    coinbase: genesis.feeRecipient,
    settlement: { pool, receipts: bytesOf(DEFAULT_ADDRESSES.receipts), key: bytesOf(devAccount(DEV_SEQUENCER_INDEX).privateKey), maxGasBps: 5000, maxBatchBytes: 1 << 20 },
  }, silent)
  await producer.init()
  const rs = receipts(domainSeparator(genesis.chainId, bytesOf(DEFAULT_ADDRESSES.receipts), crypto.keccak256))
  const answers = await pool.submit(rs.map((r) => ({ receipt: r, raw: receiptRaw(r) })), NOW)
  assert.ok(answers.every((a) => 'hash' in a), JSON.stringify(answers))
  const block = await producer.produce({ allowEmpty: true, timestamp: NOW + 1n })
  const outcomes = block?.artifacts?.settlements ?? []
  assert.deepEqual(outcomes.map((o) => o.status), ['settled', 'settled'])
  const credited = new Set<string>()
  const contributions = new Set<bigint>()
  const datanets = new Set<bigint>()
  for (const o of outcomes) {
    const done = await pool.status(o.hash)
    assert.ok(done !== null && done.status === 'done')
    // the fee's parties: model and adapter owner (the same address here), server, treasury
    const owner = devAccount(0).address.slice(2).toLowerCase()
    if (o.parts.modelOwner !== 0n || o.parts.adapterOwner !== 0n) credited.add(owner)
    if (o.parts.server !== 0n) credited.add(devAccount(DEV_SERVER_INDEX).address.slice(2).toLowerCase())
    if (o.parts.treasury !== 0n) credited.add(p.settings.receipts.treasury.toString().slice(2).toLowerCase())
    for (const s of done.outcome.attribution) {
      if (s.amount === 0n) continue
      credited.add(hexOf(s.contributor))
      contributions.add(s.contributionId)
      datanets.add(s.datanetId)
    }
  }
  return { gasUsed: block?.receipts[0].cumulativeGasUsed ?? 0n, credited, contributions, datanets }
}

test('a settlement pays settleAccount, settleContribution and settleCounter once per balance, contribution and counter it changes', async () => {
  const standard = await settle({})
  const dearer = await settle({
    settleAccount: (GAS.settleAccount + 1n).toString(),
    settleContribution: (GAS.settleContribution + 1_000n).toString(),
    settleCounter: (GAS.settleCounter + 1_000_000n).toString(),
  })
  assert.deepEqual([...dearer.credited].sort(), [...standard.credited].sort())
  const extra = dearer.gasUsed - standard.gasUsed
  const counted = { accounts: extra % 1_000n, contributions: (extra / 1_000n) % 1_000n, counters: extra / 1_000_000n }
  // several contributors and parties earn, some contributions earn nothing: the counts are not trivial
  assert.ok(standard.contributions.size >= 2 && standard.credited.size >= 4, `${standard.contributions.size} contributions, ${standard.credited.size} accounts`)
  assert.deepEqual(counted, {
    // the payer's escrow, and each address credited (the owner of model and adapter once)
    accounts: BigInt(1 + standard.credited.size),
    contributions: BigInt(standard.contributions.size),
    // each Datanet paid, and the model's one cited version
    counters: BigInt(standard.datanets.size + 1),
  })
})
