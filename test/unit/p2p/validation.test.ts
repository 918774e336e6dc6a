import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createBlock } from '@ethereumjs/block'
import { loadCrypto } from '../../../chain/index.ts'
import { createChainCommon } from '../../../chain/common.ts'
import { PeerBans } from '../../../p2p/bans.ts'
import { encodeAttestation, encodeBlockMessage, readBlock } from '../../../p2p/messages.ts'
import { addressOfKey, attestationSigningHash, blockSigningHash, sign } from '../../../p2p/signing.ts'
import { GossipError, SeenCache, validateAttestation, validateBlock, validateTx } from '../../../p2p/validation.ts'
import { decodeRawTx } from '../../../chain/txpool/decode.ts'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'

const crypto = await loadCrypto()
const common = createChainCommon(7n, crypto)
const seqKey = new Uint8Array(32).fill(5)
const sequencer = addressOfKey(crypto, seqKey)

function signedBlock(number: bigint, key = seqKey, timestamp = BigInt(Math.floor(Date.now() / 1000))) {
  const block = createBlock({ header: { number, timestamp, gasLimit: 30_000_000n, baseFeePerGas: 1n, withdrawalsRoot: new Uint8Array(32), blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: new Uint8Array(32) }, withdrawals: [] }, { common })
  return readBlock(crypto, block.serialize(), sign(crypto, blockSigningHash(crypto, 7n, block.hash()), key))
}

const rules = (head = 10n) => ({
  chainId: 7n, sequencer, maxBytes: 1 << 20, windowBehind: 64n, windowAhead: 1024n, maxClockSkew: 5n,
  headNumber: () => head, now: () => BigInt(Math.floor(Date.now() / 1000)), seen: new SeenCache(), crypto,
})

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof GossipError)
    return `${err.action}:${err.code}`
  }
  return 'accept'
}

test('block messages: the sequencer signature, the height window, time, duplicates, size and shape', () => {
  const r = rules()
  const good = signedBlock(11n)
  assert.equal(code(() => validateBlock(encodeBlockMessage(good), r)), 'accept')
  assert.equal(code(() => validateBlock(encodeBlockMessage(good), r)), 'ignore:DUPLICATE')
  assert.equal(code(() => validateBlock(encodeBlockMessage(signedBlock(12n, new Uint8Array(32).fill(6))), r)), 'reject:BAD_SIGNATURE')
  // the same block signed for another chain id does not verify here
  const other = signedBlock(13n)
  const foreign = { ...other, signature: sign(crypto, blockSigningHash(crypto, 8n, other.hash), seqKey) }
  assert.equal(code(() => validateBlock(encodeBlockMessage(foreign), r)), 'reject:BAD_SIGNATURE')
  assert.equal(code(() => validateBlock(encodeBlockMessage(signedBlock(2000n)), r)), 'ignore:TOO_FAR_AHEAD')
  assert.equal(code(() => validateBlock(encodeBlockMessage(signedBlock(1n)), rules(100n))), 'ignore:TOO_OLD')
  assert.equal(code(() => validateBlock(encodeBlockMessage(signedBlock(14n, seqKey, BigInt(Math.floor(Date.now() / 1000)) + 60n)), r)), 'ignore:FUTURE_TIMESTAMP')
  assert.equal(code(() => validateBlock(crypto.keccak256(new Uint8Array([1])), r)), 'reject:MALFORMED')
  assert.equal(code(() => validateBlock(new Uint8Array(2 << 20), r)), 'reject:TOO_LARGE')
})

test('attestations: known validators only, signed by them, for this chain, once', () => {
  const vKey = new Uint8Array(32).fill(9)
  const validator = addressOfKey(crypto, vKey)
  const hash = new Uint8Array(32).fill(1)
  const root = new Uint8Array(32).fill(2)
  const att = (key: Uint8Array, chainId = 7n) => encodeAttestation({ validator, chainId, blockNumber: 3n, blockHash: hash, stateRoot: root, signature: sign(crypto, attestationSigningHash(crypto, chainId, 3n, hash, root), key) })
  const r = { chainId: 7n, validators: new Set([Buffer.from(validator).toString('hex')]), seen: new SeenCache(), crypto }
  assert.equal(code(() => validateAttestation(att(vKey), r)), 'accept')
  assert.equal(code(() => validateAttestation(att(vKey), r)), 'ignore:DUPLICATE')
  assert.equal(code(() => validateAttestation(att(new Uint8Array(32).fill(3)), { ...r, seen: new SeenCache() })), 'reject:BAD_SIGNATURE')
  assert.equal(code(() => validateAttestation(att(vKey, 8n), { ...r, seen: new SeenCache() })), 'reject:WRONG_CHAIN')
  assert.equal(code(() => validateAttestation(att(vKey), { ...r, validators: new Set(), seen: new SeenCache() })), 'reject:UNKNOWN_VALIDATOR')
})

test('transactions must be signed envelopes of this chain, of bounded size', () => {
  const check = (raw: Uint8Array) => {
    try {
      decodeRawTx(raw, common).getSenderAddress()
      return undefined
    } catch (err) {
      return (err as Error).message
    }
  }
  const tx = createFeeMarket1559Tx({ chainId: 7n, nonce: 0n, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, gasLimit: 21_000n, to: new Uint8Array(20) }, { common })
  assert.equal(code(() => validateTx(tx.sign(seqKey).serialize(), 1024, check)), 'accept')
  assert.equal(code(() => validateTx(tx.serialize(), 1024, check)), 'reject:INVALID_TX', 'unsigned')
  const other = createFeeMarket1559Tx({ chainId: 8n, nonce: 0n, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, gasLimit: 21_000n, to: new Uint8Array(20) }, { common: createChainCommon(8n, crypto) })
  assert.equal(code(() => validateTx(other.sign(seqKey).serialize(), 1024, check)), 'reject:INVALID_TX', 'another chain')
  assert.equal(code(() => validateTx(Uint8Array.from([0x02, 0xc1, 0x80]), 1024, check)), 'reject:INVALID_TX', 'an RLP list that is no transaction')
  assert.equal(code(() => validateTx(Uint8Array.from([0x02, 0xff]), 1024, check)), 'reject:MALFORMED')
  assert.equal(code(() => validateTx(new Uint8Array(2000), 1024, check)), 'reject:BAD_SIZE')
})

test('bans: a threshold of strikes within the window bans a peer until it expires', () => {
  const bans = new PeerBans(3, 1000, 5000)
  assert.equal(bans.strike('p', 0), false)
  assert.equal(bans.strikes('p', 10), 1, 'the strike counts against the peer (and its score) until the window passes')
  assert.equal(bans.strikes('p', 1001), 0)
  assert.equal(bans.strike('p', 10), false)
  assert.equal(bans.strike('q', 10), false)
  assert.equal(bans.strike('p', 2000), false, 'the first strikes have left the window')
  assert.equal(bans.strike('p', 2100), false)
  assert.equal(bans.strike('p', 2200), true)
  assert.equal(bans.isBanned('p', 3000), true)
  assert.equal(bans.isBanned('q', 3000), false)
  assert.equal(bans.isBanned('p', 7300), false)
})
