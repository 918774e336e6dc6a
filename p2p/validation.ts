// Gossip validation, one function per topic, cheapest checks first. A failure throws a
// GossipError whose action says what gossipsub does with the message: REJECT (invalid: not
// forwarded, the sender is penalised) or IGNORE (not useful now: dropped without penalty).
import type { OpalCrypto } from '../chain/crypto.ts'
import { RLP } from '@ethereumjs/rlp'
import { decodeReceiptBatch } from '../precompiles/receipts/format.ts'
import type { Attestation, SignedBlock } from './interface.ts'
import { MalformedMessage, decodeAttestation, decodeBlockMessage } from './messages.ts'
import { attestationSigningHash, blockSigningHash, recoverSigner } from './signing.ts'

export const Action = { Reject: 'reject', Ignore: 'ignore' } as const
export type Action = (typeof Action)[keyof typeof Action]

export class GossipError extends Error {
  readonly action: Action
  readonly code: string

  constructor(action: Action, code: string, message?: string) {
    super(message ?? code)
    this.action = action
    this.code = code
  }
}

const reject = (code: string, message?: string) => new GossipError(Action.Reject, code, message)
const ignore = (code: string, message?: string) => new GossipError(Action.Ignore, code, message)

/** Remembers what was seen, boundedly. */
export class SeenCache {
  readonly #max: number
  readonly #set = new Set<string>()

  constructor(max = 16_384) {
    this.#max = max
  }

  /** true if it was already there */
  check(key: string): boolean {
    if (this.#set.has(key)) return true
    this.#set.add(key)
    if (this.#set.size > this.#max) this.#set.delete(this.#set.values().next().value as string)
    return false
  }
}

export interface BlockRules {
  chainId: bigint
  sequencer: Uint8Array
  maxBytes: number
  windowBehind: bigint
  windowAhead: bigint
  maxClockSkew: bigint
  headNumber: () => bigint
  now: () => bigint
  seen: SeenCache
  crypto: OpalCrypto
}

export function validateBlock(data: Uint8Array, r: BlockRules): SignedBlock {
  // size bound, before anything is decoded
  if (data.length > r.maxBytes) throw reject('TOO_LARGE', `${data.length} bytes`)
  // structure: [signature, block RLP] with a block header inside
  let b: SignedBlock
  try {
    b = decodeBlockMessage(r.crypto, data)
  } catch (err) {
    if (err instanceof MalformedMessage) throw reject('MALFORMED', err.message)
    throw err
  }
  // a block well behind or far ahead of our head is of no use to gossip now
  const head = r.headNumber()
  if (b.number + r.windowBehind < head) throw ignore('TOO_OLD')
  if (b.number > head + r.windowAhead) throw ignore('TOO_FAR_AHEAD')
  // a block from the future is not gossiped now (it can be fetched by sync once it is due);
  // the relayer may only have a faster clock, so it is not penalised
  if (b.timestamp > r.now() + r.maxClockSkew) throw ignore('FUTURE_TIMESTAMP')
  // only the sequencer makes blocks: the signature must recover to its address
  const signer = recoverSigner(r.crypto, blockSigningHash(r.crypto, r.chainId, b.hash), b.signature)
  if (signer === undefined || Buffer.compare(signer, r.sequencer) !== 0) throw reject('BAD_SIGNATURE', 'not signed by the sequencer')
  // one block per height and hash is forwarded once
  if (r.seen.check(`${b.number}:${Buffer.from(b.hash).toString('hex')}`)) throw ignore('DUPLICATE')
  return b
}

export interface AttestationRules {
  chainId: bigint
  validators: Set<string>
  seen: SeenCache
  crypto: OpalCrypto
}

export function validateAttestation(data: Uint8Array, r: AttestationRules): Attestation {
  if (data.length > 512) throw reject('TOO_LARGE')
  let a: Attestation
  try {
    a = decodeAttestation(data)
  } catch (err) {
    if (err instanceof MalformedMessage) throw reject('MALFORMED', err.message)
    throw err
  }
  if (a.chainId !== r.chainId) throw reject('WRONG_CHAIN')
  const validator = Buffer.from(a.validator).toString('hex')
  if (!r.validators.has(validator)) throw reject('UNKNOWN_VALIDATOR')
  const signer = recoverSigner(r.crypto, attestationSigningHash(r.crypto, a.chainId, a.blockNumber, a.blockHash, a.stateRoot), a.signature)
  if (signer === undefined || Buffer.from(signer).toString('hex') !== validator) throw reject('BAD_SIGNATURE')
  if (r.seen.check(`${validator}:${a.blockNumber}:${Buffer.from(a.blockHash).toString('hex')}`)) throw ignore('DUPLICATE')
  return a
}

/**
 * A transaction must be one this chain could ever execute — a supported type, for this chain,
 * validly signed (the chain's stateless check); whether it fits the sender's state now is the
 * pool's business and no fault of the relayer.
 */
export function validateTx(data: Uint8Array, maxBytes: number, check: (raw: Uint8Array) => string | undefined): Uint8Array {
  if (data.length === 0 || data.length > maxBytes) throw reject('BAD_SIZE')
  try {
    const body = data[0] <= 0x7f ? data.subarray(1) : data
    if (!Array.isArray(RLP.decode(body))) throw new Error('not a list')
  } catch {
    throw reject('MALFORMED')
  }
  const problem = check(data)
  if (problem !== undefined) throw reject('INVALID_TX', problem)
  return data
}

export function validateReceipts(data: Uint8Array, maxBytes: number): Uint8Array {
  if (data.length === 0 || data.length > maxBytes) throw reject('BAD_SIZE')
  try {
    decodeReceiptBatch(data)
  } catch {
    throw reject('MALFORMED')
  }
  return data
}
