import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TransactionType, createTx } from '@ethereumjs/tx'
import { TxPoolError, TxRejection } from '../../../chain/index.ts'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes } from '@ethereumjs/util'
import { privateKeyToAccount } from 'viem/accounts'
import { addr, key, openNode, transfer } from './fixtures.ts'

async function rejection(p: Promise<Array<Uint8Array | TxPoolError>>): Promise<TxPoolError> {
  const [r] = await p
  assert.ok(r instanceof TxPoolError, `expected a rejection, got ${r}`)
  return r
}

test('rejections carry geth wording and change nothing', async () => {
  const { chain, pool } = await openNode()
  await pool.addRaw([transfer(chain, { nonce: 0 }).serialize()])
  const cases: Array<[Uint8Array, TxRejection, RegExp]> = [
    [transfer(chain, { nonce: 0 }).serialize(), TxRejection.AlreadyKnown, /^already known$/],
    [transfer(chain, { nonce: 1, value: 10n ** 30n }).serialize(), TxRejection.InsufficientFunds, /^insufficient funds for gas \* price \+ value/],
    [transfer(chain, { nonce: 1, gas: 20_000n }).serialize(), TxRejection.IntrinsicGasTooLow, /^intrinsic gas too low: gas 20000, minimum needed 21000/],
    [transfer(chain, { nonce: 1, gas: 40_000_000n }).serialize(), TxRejection.GasLimitExceeded, /^exceeds block gas limit/],
    [await viemSigned({ chainId: 1, nonce: 1 }), TxRejection.WrongChainId, /^invalid chain id for signer: have 1 want 31337/],
    [tipAboveCap(chain.chainId), TxRejection.TipAboveFeeCap, /max priority fee per gas higher than max fee per gas/],
    [new Uint8Array(130 * 1024), TxRejection.Oversized, /^oversized data/],
    [Uint8Array.from([0x02, 0xc0, 0x01]), TxRejection.Malformed, /invalid transaction/],
    [Uint8Array.from([0x03, 0xc0]), TxRejection.UnsupportedType, /transaction type not supported: 3/],
  ]
  for (const [raw, reason, message] of cases) {
    const err = await rejection(pool.addRaw([raw]))
    assert.equal(err.reason, reason, `${err.message}`)
    assert.match(err.message, message)
  }
  const unsigned = createTx({ type: TransactionType.FeeMarketEIP1559, nonce: 1n, gasLimit: 21_000n, maxFeePerGas: 2n * 10n ** 9n, to: '0x000000000000000000000000000000000000dead', chainId: chain.chainId }, { common: chain.common })
  const err = await rejection(pool.addRaw([unsigned.serialize()]))
  assert.equal(err.reason, TxRejection.InvalidSender)
  assert.deepEqual(pool.status(), { pending: 1, queued: 0 })
  await chain.close()
})

test('nonce too low once mined', async () => {
  const { chain, pool, producer } = await openNode()
  const tx = transfer(chain, { nonce: 0 })
  await pool.addRaw([tx.serialize()])
  await producer.produce({ allowEmpty: false })
  assert.equal(pool.size, 0)
  const err = await rejection(pool.addRaw([tx.serialize()]))
  assert.equal(err.reason, TxRejection.NonceTooLow)
  assert.match(err.message, /^nonce too low: address 0xf39f.*, tx: 0 state: 1$/)
  await chain.close()
})

test('a replacement needs at least 10% more on both fee fields', async () => {
  const { chain, pool, producer } = await openNode()
  await pool.addRaw([transfer(chain, { nonce: 0, maxFee: 2_000_000_000n, tip: 1_000_000_000n, value: 1n }).serialize()])
  const low = await rejection(pool.addRaw([transfer(chain, { nonce: 0, maxFee: 2_100_000_000n, tip: 1_100_000_000n, value: 2n }).serialize()]))
  assert.equal(low.reason, TxRejection.ReplacementUnderpriced)
  assert.match(low.message, /^replacement transaction underpriced/)
  const better = transfer(chain, { nonce: 0, maxFee: 2_200_000_000n, tip: 1_100_000_000n, value: 3n })
  const [ok] = await pool.addRaw([better.serialize()])
  assert.ok(ok instanceof Uint8Array)
  assert.equal(pool.size, 1)
  const made = await producer.produce({ allowEmpty: false })
  assert.deepEqual(made?.block.transactions[0].hash(), better.hash())
  await chain.close()
})

test('a nonce gap queues; filling it makes the queue pending and minable in order', async () => {
  const { chain, pool, producer } = await openNode()
  await pool.addRaw([transfer(chain, { nonce: 2 }).serialize(), transfer(chain, { nonce: 1 }).serialize()])
  assert.deepEqual(pool.status(), { pending: 0, queued: 2 })
  assert.equal(await producer.produce({ allowEmpty: false }), undefined)
  await pool.addRaw([transfer(chain, { nonce: 0 }).serialize()])
  assert.deepEqual(pool.status(), { pending: 3, queued: 0 })
  assert.equal(pool.pendingNonce(addr(0)), 3n)
  const made = await producer.produce({ allowEmpty: false })
  assert.deepEqual(made?.block.transactions.map((t) => t.nonce), [0n, 1n, 2n])
  await chain.close()
})

test('a fee cap below the base fee is queued, not rejected', async () => {
  const { chain, pool, producer } = await openNode()
  const cheap = transfer(chain, { nonce: 0, maxFee: 100n, tip: 1n })
  const [r] = await pool.addRaw([cheap.serialize()])
  assert.ok(r instanceof Uint8Array)
  assert.deepEqual(pool.status(), { pending: 0, queued: 1 })
  assert.equal(await producer.produce({ allowEmpty: false }), undefined)
  assert.ok(pool.get(cheap.hash()))
  await chain.close()
})

test('blocks take the highest tip first, each sender in nonce order', async () => {
  const { chain, pool, producer } = await openNode()
  await pool.addRaw([
    transfer(chain, { from: 1, nonce: 0, tip: 5n }).serialize(),
    transfer(chain, { from: 2, nonce: 0, tip: 50n }).serialize(),
    transfer(chain, { from: 2, nonce: 1, tip: 1n }).serialize(),
    transfer(chain, { from: 3, nonce: 0, tip: 20n }).serialize(),
  ])
  const made = await producer.produce({ allowEmpty: false })
  const order = made!.block.transactions.map((t) => `${Buffer.from(t.getSenderAddress().bytes).toString('hex').slice(0, 4)}:${t.nonce}`)
  const tag = (i: number, n: number) => `${Buffer.from(addr(i)).toString('hex').slice(0, 4)}:${n}`
  assert.deepEqual(order, [tag(2, 0), tag(3, 0), tag(1, 0), tag(2, 1)])
  await chain.close()
})

test('blocks stop at the gas limit and leave the rest for the next block', async () => {
  const { chain, pool, producer } = await openNode()
  // 60,000 non-zero calldata bytes cost 981,000 gas each: 30 fit in 30M
  const data = new Uint8Array(60_000).fill(1)
  const raws = Array.from({ length: 35 }, (_, i) => transfer(chain, { nonce: i, gas: 1_000_000n, data }).serialize())
  await pool.addRaw(raws)
  const first = await producer.produce({ allowEmpty: false })
  assert.equal(first?.block.transactions.length, 30)
  assert.equal(first?.block.header.gasUsed, 30n * 981_000n)
  assert.equal(pool.size, 5)
  const second = await producer.produce({ allowEmpty: false })
  assert.equal(second?.block.transactions.length, 5)
  await chain.close()
})

test('caps: per sender, then in total with the cheapest evicted', async () => {
  const { chain, pool } = await openNode(undefined, undefined, { maxPerSender: 2, maxTotal: 3 })
  await pool.addRaw([transfer(chain, { nonce: 0 }).serialize(), transfer(chain, { nonce: 1 }).serialize()])
  const full = await rejection(pool.addRaw([transfer(chain, { nonce: 2 }).serialize()]))
  assert.equal(full.reason, TxRejection.SenderFull)
  const cheap = transfer(chain, { from: 1, nonce: 0, maxFee: 1_500_000_000n })
  await pool.addRaw([cheap.serialize()])
  assert.equal(pool.size, 3)
  const poorer = await rejection(pool.addRaw([transfer(chain, { from: 2, nonce: 0, maxFee: 1_000_000_000n }).serialize()]))
  assert.equal(poorer.reason, TxRejection.PoolFull)
  const richer = transfer(chain, { from: 2, nonce: 0, maxFee: 3_000_000_000n })
  const [ok] = await pool.addRaw([richer.serialize()])
  assert.ok(ok instanceof Uint8Array)
  assert.equal(pool.size, 3)
  assert.equal(pool.get(cheap.hash()), undefined, 'the cheapest tail was evicted')
  await chain.close()
})

test('legacy transactions with and without EIP-155, and access-list transactions, are accepted and mined', async () => {
  const { chain, pool, producer } = await openNode()
  const eip155 = transfer(chain, { nonce: 0, type: TransactionType.Legacy })
  const unprotected = await viemSigned({ nonce: 1 })
  const v = (RLP.decode(unprotected) as Uint8Array[])[6]
  assert.ok(v.length === 1 && (v[0] === 27 || v[0] === 28), 'v is 27 or 28')
  const accessList = createTx({ type: 1, nonce: 2n, to: '0x000000000000000000000000000000000000dead', value: 1n, gasLimit: 30_000n, gasPrice: 2_000_000_000n, accessList: [], chainId: chain.chainId }, { common: chain.common }).sign(key(0))
  const results = await pool.addRaw([eip155.serialize(), unprotected, accessList.serialize()])
  for (const r of results) assert.ok(r instanceof Uint8Array, String(r))
  const made = await producer.produce({ allowEmpty: false })
  assert.deepEqual(made?.block.transactions.map((t) => t.type), [0, 0, 1])
  assert.ok(made?.receipts.every((r) => r.status === 1))
  await chain.close()
})

/** A legacy transfer from dev account 0 signed by viem: pre-EIP-155 without a chain id. */
async function viemSigned(o: { chainId?: number; nonce: number }): Promise<Uint8Array> {
  const account = privateKeyToAccount(`0x${Buffer.from(key(0)).toString('hex')}`)
  const hex = await account.signTransaction({
    type: 'legacy',
    nonce: o.nonce,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 1n,
    gas: 21_000n,
    gasPrice: 2_000_000_000n,
    ...(o.chainId !== undefined ? { chainId: o.chainId } : {}),
  })
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'))
}

/** A type-2 transaction whose tip exceeds its fee cap; libraries refuse to build one, so it is RLP by hand. */
function tipAboveCap(chainId: bigint): Uint8Array {
  const b = bigIntToUnpaddedBytes
  const fields = [b(chainId), b(1n), b(3_000_000_000n), b(2_000_000_000n), b(21_000n), new Uint8Array(20).fill(0xde), b(1n), new Uint8Array(), [], b(1n), new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]
  const body = RLP.encode(fields)
  return Uint8Array.from([0x02, ...body])
}
