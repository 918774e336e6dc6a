// The receipt pool's admission: what it accepts, every reason it refuses for (in the order the
// checks run), what it keeps on disk before answering, and what comes back after a restart.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { RLP } from '@ethereumjs/rlp'
import { BlockImporter, BlockProducer, Chain, TxPool, chainPoolBackend, loadCrypto } from '../../../chain/index.ts'
import type { OpalCrypto } from '../../../chain/index.ts'
import { PoolReason, ReceiptPool } from '../../../chain/receipts/pool.ts'
import { SequencerBatch } from '../../../chain/receipts/sequencerBatch.ts'
import type { ReceiptPoolOptions, SubmitAnswer } from '../../../chain/receipts/pool.ts'
import { DEV_SEQUENCER_INDEX, DEV_SERVER_INDEX, devAccount, devExamplePrecompiles, devGenesis } from '../../../genesis/index.ts'
import type { Genesis } from '../../../genesis/index.ts'
import { createPrecompileParts } from '../../../node/precompiles.ts'
import type { PrecompileParts } from '../../../node/precompiles.ts'
import { DEFAULT_GRAPH_ID } from '../../../precompiles/attribution/onnx/defaultGraph.ts'
import { DEFAULT_ADDRESSES } from '../../../precompiles/index.ts'
import { decodeReceiptBatchItems, domainSeparator, encodeReceipt, joinReceiptBatch, receiptDigest, receiptRaw } from '../../../precompiles/receipts/format.ts'
import type { EncodedReceipt, InferenceReceipt, SignedReceipt } from '../../../precompiles/receipts/format.ts'
import { Reason } from '../../../precompiles/receipts/rules.ts'
import { replaySlot } from '../../../precompiles/receipts/records.ts'
import { word } from '../../../precompiles/framework/storage.ts'
import { silent, tempDir } from './fixtures.ts'

const NOW = 1_700_000_000n
/** the example adapter's price per 1,000 tokens */
const PRICE = 1_000_000_000_000_000n
const toHex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as const
const bytesOf = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
const SERVER_KEY = bytesOf(devAccount(DEV_SERVER_INDEX).privateKey)
const STRANGER_KEY = bytesOf(devAccount(8).privateKey)
const PAYER = bytesOf(devAccount(0).address)
/** a request of the example server the genesis records as settled (in block 7) */
const SETTLED_REQUEST = new Uint8Array(32).fill(0xee)

let crypto: OpalCrypto
let genesis: Genesis
let parts: PrecompileParts
let separator: Uint8Array
let requests = 0
const open: Chain[] = []

before(async () => {
  crypto = await loadCrypto()
  genesis = devGenesis({ timestamp: NOW - 10n, precompiles: devExamplePrecompiles(DEFAULT_GRAPH_ID) })
  const replay = toHex(replaySlot(bytesOf(devAccount(DEV_SERVER_INDEX).address), SETTLED_REQUEST))
  genesis.alloc.set(DEFAULT_ADDRESSES.receipts, { balance: 0n, nonce: 0n, code: new Uint8Array(), storage: new Map([[replay, toHex(word(7n))]]) })
  parts = await createPrecompileParts(genesis, crypto, { kernel: 'js', threads: 1 })
  separator = domainSeparator(genesis.chainId, bytesOf(DEFAULT_ADDRESSES.receipts), crypto.keccak256)
})

after(async () => {
  for (const c of open) await c.close()
  await parts.close()
})

async function openPool(dataDir = tempDir(), opts: Partial<ReceiptPoolOptions> = {}) {
  const chain = await Chain.open({ dataDir, genesis, crypto, extensions: parts.precompiles })
  open.push(chain)
  const pool = new ReceiptPool(chain, parts.settings, parts.engine, parts.receiptSigners, opts)
  // receipts go in as a batch gives them: each with its encoding
  const submit = (rs: SignedReceipt[], now: bigint) => pool.submit(rs.map((r): EncodedReceipt => ({ receipt: r, raw: receiptRaw(r) })), now)
  return { chain, dataDir, pool, submit }
}

function requestId(): Uint8Array {
  const id = new Uint8Array(32)
  new DataView(id.buffer).setUint32(28, ++requests)
  return id
}

function unsigned(over: Partial<InferenceReceipt> = {}): InferenceReceipt {
  const sketch = new Int8Array(128)
  for (let i = 0; i < sketch.length; i++) sketch[i] = ((i * 37 + requests) % 200) - 100
  return {
    chainId: genesis.chainId, adapterId: 1n, modelId: 1n, requestId: requestId(), payer: PAYER, inputTokens: 700n, outputTokens: 300n,
    fee: PRICE, issuedAt: NOW, expiry: NOW + 600n, sketch, spans: [], ...over,
  }
}

function sign(r: InferenceReceipt, key = SERVER_KEY): SignedReceipt {
  const { signature, recid } = crypto.ecdsaSign(receiptDigest(r, separator, crypto.keccak256), key)
  const sig = new Uint8Array(65)
  sig.set(signature)
  sig[64] = 27 + recid
  return { ...r, signature: sig }
}

const receipt = (over: Partial<InferenceReceipt> = {}, key = SERVER_KEY) => sign(unsigned(over), key)
const digest = (r: InferenceReceipt) => receiptDigest(r, separator, crypto.keccak256)
/** a signature no key made: its recovery id is out of range */
const broken = (r: SignedReceipt): SignedReceipt => ({ ...r, signature: Uint8Array.from({ length: 65 }, (_, i) => (i === 64 ? 5 : 1)) })
const reasons = (answers: SubmitAnswer[]) => answers.map((a) => ('reason' in a ? a.reason : 'accepted'))

test('good receipts are accepted under their digest, in order, and pending with their raw RLP', async () => {
  const { pool, submit } = await openPool()
  const rs = [receipt(), receipt({ spans: [{ contributionId: 3n, matchedTokens: 70_000n }, { contributionId: 1n, matchedTokens: 0n }] }), receipt()]
  const answers = await submit(rs, NOW)
  assert.deepEqual(answers, rs.map((r) => ({ hash: digest(r) })))
  assert.equal(pool.size, 3)
  const server = bytesOf(devAccount(DEV_SERVER_INDEX).address)
  pool.pending().forEach((p, i) => {
    assert.deepEqual(p.raw, RLP.encode(encodeReceipt(rs[i]) as never))
    assert.deepEqual(p.signer, server)
    assert.deepEqual(p.hash, digest(rs[i]))
    assert.ok(p.gas > 0n)
  })
  const status = await pool.status(digest(rs[1]))
  assert.equal(status?.status, 'pending')
})

test('every refusal has its reason, and the checks run in their order', async () => {
  const { pool, submit } = await openPool()
  const good = receipt()
  const other = bytesOf(devAccount(3).address)
  const badSig = broken(receipt())
  const sameRequest = sign({ ...unsigned(), requestId: good.requestId, inputTokens: 1700n, fee: 2n * PRICE })
  const batch: SignedReceipt[] = [
    good,
    good, // twice in one batch
    receipt({ chainId: 5n }),
    receipt({ expiry: NOW - 1n, issuedAt: NOW - 100n }),
    receipt({ expiry: NOW - 10n }), // expiry before issuedAt
    receipt({ expiry: NOW + 4000n }), // longer than the maximum validity
    receipt({ issuedAt: NOW + 1000n, expiry: NOW + 1100n }),
    receipt({ expiry: NOW + 10n }), // valid, but not for long enough
    badSig,
    receipt({}, STRANGER_KEY),
    receipt({ adapterId: 9n }),
    receipt({ fee: PRICE + 1n }),
    receipt({ sketch: new Int8Array(64) }),
    receipt({ payer: other }),
    sameRequest,
    receipt({ requestId: SETTLED_REQUEST }),
    // a replay is found before the escrow
    receipt({ requestId: SETTLED_REQUEST, payer: other }),
    // a wrong chain id is found before the time checks, a bad signature before the records
    receipt({ chainId: 5n, expiry: NOW - 1n, issuedAt: NOW - 100n }),
    { ...receipt({ adapterId: 9n }), signature: new Uint8Array(65) },
  ]
  assert.deepEqual(reasons(await submit(batch, NOW)), [
    'accepted',
    PoolReason.known,
    Reason.wrongChain,
    Reason.expired,
    Reason.expiryBeforeIssue,
    Reason.validityTooLong,
    Reason.issuedInFuture,
    PoolReason.expiresSoon,
    Reason.badSignature,
    Reason.unknownServer,
    Reason.unknownAdapter,
    Reason.wrongFee,
    Reason.wrongSketch,
    Reason.insufficientEscrow,
    PoolReason.pendingRequest,
    Reason.replayed,
    Reason.replayed,
    Reason.wrongChain,
    Reason.badSignature,
  ])
  // known once pending; a request pending under another receipt
  assert.deepEqual(reasons(await submit([good, sign({ ...unsigned(), requestId: good.requestId, sketch: new Int8Array(128).fill(5) })], NOW)), [PoolReason.known, PoolReason.pendingRequest])
  assert.equal(pool.size, 1)
})

test('the escrow counts what pending receipts already reserve', async () => {
  const { pool, submit } = await openPool()
  // the example payer escrows 100 OPEN; each receipt costs a thousandth of one
  const fee = 40n * 10n ** 18n
  const tokens = (fee * 1000n) / PRICE
  const big = () => receipt({ inputTokens: tokens, outputTokens: 0n, fee })
  assert.deepEqual(reasons(await submit([big(), big(), big()], NOW)), ['accepted', 'accepted', Reason.insufficientEscrow])
  assert.deepEqual(reasons(await submit([receipt({ inputTokens: (20n * 10n ** 18n * 1000n) / PRICE, outputTokens: 0n, fee: 20n * 10n ** 18n })], NOW)), ['accepted'])
  assert.deepEqual(reasons(await submit([receipt()], NOW)), [Reason.insufficientEscrow])
})

test('a full pool and a receipt too expensive to settle are refused', async () => {
  // the batch's own accepted receipts count once: the pool fills to exactly its size
  const full = await openPool(tempDir(), { maxPending: 2 })
  assert.deepEqual(reasons(await full.submit([receipt(), receipt(), receipt()], NOW)), ['accepted', 'accepted', PoolReason.full])
  assert.deepEqual(reasons(await full.submit([receipt()], NOW)), [PoolReason.full])
  assert.equal(full.pool.size, 2)
  const dear = await openPool(tempDir(), { maxReceiptGas: 1000n })
  assert.deepEqual(reasons(await dear.submit([receipt()], NOW)), [PoolReason.tooExpensive])
})

test('accepted receipts are journaled when submit resolves, and a restart restores them in order', async () => {
  const { pool, chain, dataDir, submit } = await openPool()
  const first = [receipt(), receipt({ spans: [{ contributionId: 2n, matchedTokens: 5n }] })]
  const second = [receipt(), broken(receipt()), receipt()]
  const [a, b] = await Promise.all([submit(first, NOW), submit(second, NOW)])
  assert.deepEqual(reasons([...a, ...b]), ['accepted', 'accepted', 'accepted', Reason.badSignature, 'accepted'])
  // one entry per submission: the RLP list of what it accepted
  const journaled = await chain.receiptJournal.load()
  const expected = pool.pending()
  assert.equal(journaled.length, 2)
  const entries = journaled.map((raw) => decodeReceiptBatchItems(raw).map((e) => Buffer.from(e.raw).toString('hex')))
  assert.deepEqual(new Set(entries.flat()), new Set(expected.map((p) => Buffer.from(p.raw).toString('hex'))))
  assert.deepEqual(entries.map((e) => e.length).sort(), [2, 2])
  await chain.close()

  const again = await openPool(dataDir)
  assert.equal(await again.pool.restore(), 4)
  const restored = again.pool.pending()
  const byHash = new Map(expected.map((p) => [Buffer.from(p.hash).toString('hex'), p]))
  for (const p of restored) {
    const before = byHash.get(Buffer.from(p.hash).toString('hex'))
    assert.ok(before !== undefined)
    assert.deepEqual(p.raw, before.raw)
    assert.deepEqual(p.signer, before.signer)
    assert.deepEqual(p.replay, before.replay)
    assert.equal(p.gas, before.gas)
    assert.deepEqual(digest(p.receipt), p.hash)
    assert.deepEqual(RLP.encode(encodeReceipt(p.receipt) as never), before.raw)
  }
  // what was restored is known, its requests pending, its fees reserved
  assert.deepEqual(reasons(await again.submit([first[0], sign({ ...unsigned(), requestId: second[0].requestId })], NOW)), [PoolReason.known, PoolReason.pendingRequest])
})

test('expired receipts are dropped, and a journal entry leaves with its last receipt', async () => {
  const { pool, chain, submit } = await openPool()
  await submit([receipt({ expiry: NOW + 100n }), receipt({ expiry: NOW + 500n })], NOW)
  await submit([receipt({ expiry: NOW + 150n })], NOW)
  assert.equal((await chain.receiptJournal.load()).length, 2)
  assert.equal(pool.dropExpired(NOW + 200n), 2)
  assert.equal(pool.size, 1)
  await chain.receiptJournal.settle()
  const left = await chain.receiptJournal.load()
  assert.equal(left.length, 1, 'the second submission\'s entry is gone; the first still holds a pending receipt')
  assert.equal(decodeReceiptBatchItems(left[0]).length, 2)
  assert.equal(pool.dropExpired(NOW + 1000n), 1)
  await chain.receiptJournal.settle()
  assert.deepEqual(await chain.receiptJournal.load(), [])
})

test('a restart deletes journal entries whose receipts a block already settled', async () => {
  const { pool, chain, dataDir, submit } = await openPool()
  const txPool = new TxPool(chain.common, chainPoolBackend(chain), {}, parts.signatures)
  const producer = new BlockProducer(chain, txPool, {
    coinbase: genesis.feeRecipient,
    settlement: { pool, receipts: bytesOf(DEFAULT_ADDRESSES.receipts), key: bytesOf(devAccount(DEV_SEQUENCER_INDEX).privateKey), maxGasBps: 5000, maxBatchBytes: 1 << 20 },
  }, silent)
  await producer.init()
  const rs = [receipt(), receipt()]
  assert.deepEqual(reasons(await submit(rs, NOW)), ['accepted', 'accepted'])
  const block = await producer.produce({ allowEmpty: true, timestamp: NOW + 1n })
  assert.equal(block?.artifacts?.settlements.length, 2)
  assert.equal(pool.size, 0)
  await chain.receiptJournal.settle()
  assert.deepEqual(await chain.receiptJournal.load(), [], 'the entry left with the receipts the block settled')
  // entries left behind by a process stopped before deleting them: a submission's list, and one
  // receipt as earlier versions journaled it
  await chain.receiptJournal.add([{ hash: new Uint8Array(32).fill(1), raw: joinReceiptBatch(rs.map(receiptRaw)) }, { hash: digest(rs[0]), raw: receiptRaw(rs[0]) }])
  await chain.close()

  const again = await openPool(dataDir)
  assert.equal(await again.pool.restore(), 0, 'a settled receipt is not pending again')
  await again.chain.receiptJournal.settle()
  assert.deepEqual(await again.chain.receiptJournal.load(), [])
})

test('a journaled receipt whose signature recovers nobody is not restored', async () => {
  const { chain, dataDir } = await openPool()
  const good = receipt()
  // such an entry was never written by admission, which accepts only signatures that recover
  await chain.receiptJournal.add([{ hash: new Uint8Array(32).fill(2), raw: joinReceiptBatch([receiptRaw(broken(receipt())), receiptRaw(good)]) }])
  await chain.close()
  const again = await openPool(dataDir)
  assert.equal(await again.pool.restore(), 1)
  assert.deepEqual(again.pool.pending().map((p) => p.hash), [digest(good)])
})

test('the sequencer batch is known by its exact bytes, and only while it is held', async () => {
  const { pool, submit } = await openPool()
  await submit([receipt(), receipt()], NOW)
  const picked = pool.pending()
  const bytes = joinReceiptBatch(picked.map((p) => p.raw))
  const held = new SequencerBatch()
  assert.equal(held.lookup(bytes), undefined)
  held.hold(bytes, picked)
  const known = held.lookup(bytes.slice())
  assert.deepEqual(known?.digests, picked.map((p) => p.hash))
  assert.deepEqual(known?.signers, picked.map((p) => p.signer))
  assert.deepEqual(known?.receipts, picked.map((p) => p.receipt))
  assert.deepEqual(known?.replaySlots, picked.map((p) => replaySlot(p.signer, p.receipt.requestId)))
  const changed = bytes.slice()
  changed[changed.length - 1] ^= 1
  assert.equal(held.lookup(changed), undefined)
  assert.equal(held.lookup(bytes.subarray(0, bytes.length - 1)), undefined)
  held.release()
  assert.equal(held.lookup(bytes), undefined)
})

test('the sequencer settles its own batch from what its pool checked, to the state a follower re-executing the block reaches', async () => {
  const { pool, chain, submit } = await openPool()
  const held = parts.sequencerBatch
  const lookup = held.lookup.bind(held)
  let used = 0
  held.lookup = (batch) => {
    const known = lookup(batch)
    if (known !== undefined) used++
    return known
  }
  try {
    const txPool = new TxPool(chain.common, chainPoolBackend(chain), {}, parts.signatures)
    const producer = new BlockProducer(chain, txPool, {
      coinbase: genesis.feeRecipient,
      settlement: { pool, checked: held, receipts: bytesOf(DEFAULT_ADDRESSES.receipts), key: bytesOf(devAccount(DEV_SEQUENCER_INDEX).privateKey), maxGasBps: 5000, maxBatchBytes: 1 << 20 },
    }, silent)
    await producer.init()
    const rs = [receipt(), receipt({ spans: [{ contributionId: 2n, matchedTokens: 40n }] }), receipt({ payer: bytesOf(devAccount(5).address) })]
    assert.deepEqual(reasons(await submit(rs, NOW)), ['accepted', 'accepted', Reason.insufficientEscrow])
    const produced = await producer.produce({ allowEmpty: true, timestamp: NOW + 1n })
    assert.ok(produced !== undefined)
    assert.equal(used, 1, 'the settlement took the batch its pool checked')
    assert.equal(held.lookup(joinReceiptBatch(rs.slice(0, 2).map(receiptRaw))), undefined, 'released once executed')
    assert.deepEqual(produced.artifacts?.settlements.map((o) => o.status), ['settled', 'settled'])

    // a follower has no such batch: it decodes, digests and recovers, and must agree
    const follower = await Chain.open({ dataDir: tempDir(), genesis, crypto, extensions: parts.precompiles })
    open.push(follower)
    const importer = new BlockImporter(follower, silent)
    await importer.init()
    assert.equal(await importer.import(produced.block), 'imported')
    assert.equal(used, 1)
    assert.deepEqual(follower.head.stateRoot, produced.block.header.stateRoot)
    for (const r of rs.slice(0, 2)) assert.deepEqual(await follower.store.receiptOutcome(digest(r)), await chain.store.receiptOutcome(digest(r)))
  } finally {
    held.lookup = lookup
  }
})
