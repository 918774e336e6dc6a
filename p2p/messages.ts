// Gossip and request/response payloads: RLP. A block message is [signature, blockRlp]; the header
// fields the validation needs are read from the block RLP without building a Block.
import { RLP } from '@ethereumjs/rlp'
import type { OpalCrypto } from '../chain/crypto.ts'
import type { Attestation, SignedBlock } from './interface.ts'

export class MalformedMessage extends Error {}

const big = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`))
const bytes = (n: bigint): Uint8Array => {
  if (n === 0n) return new Uint8Array()
  let h = n.toString(16)
  if (h.length % 2 === 1) h = `0${h}`
  return Uint8Array.from(Buffer.from(h, 'hex'))
}

/**
 * The header facts of a block RLP: number, timestamp, parent, hash (keccak of the header RLP).
 * Only the header is decoded: gossip validation must stay cheap, and decoding a thousand
 * transactions it does not look at took milliseconds per block. Re-execution decodes the rest.
 */
export function readBlock(crypto: OpalCrypto, blockRlp: Uint8Array, signature: Uint8Array): SignedBlock {
  const headerRlp = firstListItem(blockRlp)
  let header: unknown
  try {
    header = RLP.decode(headerRlp)
  } catch (err) {
    throw new MalformedMessage(`block header RLP: ${(err as Error).message}`)
  }
  if (!Array.isArray(header) || header.length < 15 || !header.every((f) => f instanceof Uint8Array)) throw new MalformedMessage('not a block header')
  const fields = header as Uint8Array[]
  if (fields[0].length !== 32) throw new MalformedMessage('parent hash is not 32 bytes')
  return {
    blockRlp,
    signature,
    number: big(fields[8]),
    timestamp: big(fields[11]),
    parentHash: fields[0],
    hash: crypto.keccak256(headerRlp),
  }
}

/** The raw RLP of the first item of an RLP list, checked against the bounds of the input. */
function firstListItem(rlp: Uint8Array): Uint8Array {
  const outer = item(rlp, 0)
  if (!outer.list || outer.end !== rlp.length) throw new MalformedMessage('a block is one RLP list')
  const first = item(rlp, outer.dataStart)
  if (!first.list || first.end > outer.end) throw new MalformedMessage('a block starts with its header list')
  return rlp.subarray(outer.dataStart, first.end)
}

function item(b: Uint8Array, at: number): { list: boolean; dataStart: number; end: number } {
  if (at >= b.length) throw new MalformedMessage('truncated RLP')
  const p = b[at]
  if (p < 0x80) return { list: false, dataStart: at, end: at + 1 }
  if (p < 0xb8) return { list: false, dataStart: at + 1, end: at + 1 + (p - 0x80) }
  if (p < 0xc0) return long(b, at, p - 0xb7, false)
  if (p < 0xf8) return { list: true, dataStart: at + 1, end: at + 1 + (p - 0xc0) }
  return long(b, at, p - 0xf7, true)
}

function long(b: Uint8Array, at: number, lenOfLen: number, list: boolean): { list: boolean; dataStart: number; end: number } {
  if (at + 1 + lenOfLen > b.length) throw new MalformedMessage('truncated RLP length')
  let len = 0
  for (let i = 0; i < lenOfLen; i++) len = len * 256 + b[at + 1 + i]
  const dataStart = at + 1 + lenOfLen
  if (dataStart + len > b.length) throw new MalformedMessage('truncated RLP item')
  return { list, dataStart, end: dataStart + len }
}

export function encodeBlockMessage(b: SignedBlock): Uint8Array {
  return RLP.encode([b.signature, b.blockRlp])
}

export function decodeBlockMessage(crypto: OpalCrypto, data: Uint8Array): SignedBlock {
  let list: unknown
  try {
    list = RLP.decode(data)
  } catch (err) {
    throw new MalformedMessage(`RLP: ${(err as Error).message}`)
  }
  if (!Array.isArray(list) || list.length !== 2 || !(list[0] instanceof Uint8Array) || !(list[1] instanceof Uint8Array)) {
    throw new MalformedMessage('a block message is [signature, block]')
  }
  if (list[0].length !== 65) throw new MalformedMessage('signature is not 65 bytes')
  return readBlock(crypto, list[1], list[0])
}

export function encodeAttestation(a: Attestation): Uint8Array {
  return RLP.encode([bytes(a.chainId), bytes(a.blockNumber), a.blockHash, a.stateRoot, a.validator, a.signature])
}

export function decodeAttestation(data: Uint8Array): Attestation {
  let list: unknown
  try {
    list = RLP.decode(data)
  } catch (err) {
    throw new MalformedMessage(`RLP: ${(err as Error).message}`)
  }
  if (!Array.isArray(list) || list.length !== 6 || !list.every((x) => x instanceof Uint8Array)) throw new MalformedMessage('an attestation is a list of 6 fields')
  const [chainId, number, blockHash, stateRoot, validator, signature] = list as Uint8Array[]
  if (blockHash.length !== 32 || stateRoot.length !== 32 || validator.length !== 20 || signature.length !== 65) throw new MalformedMessage('attestation field sizes')
  return { chainId: big(chainId), blockNumber: big(number), blockHash, stateRoot, validator, signature }
}

export function encodeStatus(chainId: bigint, number: bigint, hash: Uint8Array): Uint8Array {
  return RLP.encode([bytes(chainId), bytes(number), hash])
}

export function decodeStatus(data: Uint8Array): { chainId: bigint; number: bigint; hash: Uint8Array } {
  const list = RLP.decode(data) as unknown
  if (!Array.isArray(list) || list.length !== 3 || !list.every((x) => x instanceof Uint8Array)) throw new MalformedMessage('status')
  const [c, n, h] = list as Uint8Array[]
  return { chainId: big(c), number: big(n), hash: h }
}

export function encodeRangeRequest(from: bigint, count: number): Uint8Array {
  return RLP.encode([bytes(from), bytes(BigInt(count))])
}

export function decodeRangeRequest(data: Uint8Array): { from: bigint; count: number } {
  const list = RLP.decode(data) as unknown
  if (!Array.isArray(list) || list.length !== 2 || !list.every((x) => x instanceof Uint8Array)) throw new MalformedMessage('range request')
  const count = big(list[1] as Uint8Array)
  if (count > 1_000_000n) throw new MalformedMessage('range count')
  return { from: big(list[0] as Uint8Array), count: Number(count) }
}

/** A response: [status, [[signature, block], …]] with status 0 ok, 1 rate limited, 2 bad request. */
export function encodeBlocksResponse(status: number, blocks: SignedBlock[]): Uint8Array {
  return RLP.encode([bytes(BigInt(status)), blocks.map((b) => [b.signature, b.blockRlp])])
}

export function decodeBlocksResponse(crypto: OpalCrypto, data: Uint8Array): { status: number; blocks: SignedBlock[] } {
  const list = RLP.decode(data) as unknown
  if (!Array.isArray(list) || list.length !== 2 || !(list[0] instanceof Uint8Array) || !Array.isArray(list[1])) throw new MalformedMessage('blocks response')
  const blocks = (list[1] as unknown[]).map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 2 || !(entry[0] instanceof Uint8Array) || !(entry[1] instanceof Uint8Array)) throw new MalformedMessage('blocks response entry')
    return readBlock(crypto, entry[1], entry[0])
  })
  return { status: Number(big(list[0] as Uint8Array)), blocks }
}
