// eth_getLogs: walk a block range, skip blocks whose header bloom rules the filter out, and
// match the stored logs of the rest.
import type { BlockHeader } from '@ethereumjs/block'
import type { Chain } from './chain.ts'
import { ChainError } from './errors.ts'
import type { ExecutedBlock, StoredLog } from './types.ts'
import { equal } from './util/bytes.ts'

/** Each topic position: null matches anything, a list matches any of its members. */
export type TopicFilter = Array<Uint8Array[] | null>

export interface LogFilter {
  addresses: Uint8Array[]
  topics: TopicFilter
}

export interface LogWithContext extends StoredLog {
  blockNumber: bigint
  blockHash: Uint8Array
  blockTimestamp: bigint
  transactionHash: Uint8Array
  transactionIndex: number
  logIndex: number
  removed: boolean
}

export interface LogLimits {
  maxBlockRange: bigint
  maxResults: number
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxBlockRange: 100_000n, maxResults: 10_000 }

export class LogQuery {
  readonly #chain: Chain
  readonly #limits: LogLimits

  constructor(chain: Chain, limits: LogLimits = DEFAULT_LOG_LIMITS) {
    this.#chain = chain
    this.#limits = limits
  }

  async range(from: bigint, to: bigint, filter: LogFilter): Promise<LogWithContext[]> {
    if (to - from + 1n > this.#limits.maxBlockRange) {
      throw new ChainError('INVALID_BLOCK', `block range too large: ${to - from + 1n} blocks, at most ${this.#limits.maxBlockRange} per query`)
    }
    const probe = bloomProbe(this.#chain, filter)
    const out: LogWithContext[] = []
    for (let n = from; n <= to; n++) {
      const header = await this.#chain.header(n)
      if (header === undefined) break
      if (!probe(header.logsBloom)) continue
      await this.#collect(header, filter, out)
    }
    return out
  }

  async block(header: BlockHeader, filter: LogFilter): Promise<LogWithContext[]> {
    const out: LogWithContext[] = []
    await this.#collect(header, filter, out)
    return out
  }

  /** Every log of a block, for subscriptions (filtering happens per subscriber). */
  async #collect(header: BlockHeader, filter: LogFilter, out: LogWithContext[]): Promise<void> {
    const hash = header.hash()
    const receipts = await this.#chain.receipts(hash)
    if (receipts === undefined || receipts.length === 0) return
    const txHashes = (await this.#chain.store.txHashes(hash)) ?? []
    let logIndex = 0
    receipts.forEach((r, txIndex) => {
      for (const log of r.logs) {
        if (matches(log, filter)) {
          if (out.length >= this.#limits.maxResults) {
            throw new ChainError('INVALID_BLOCK', `query returned more than ${this.#limits.maxResults} results; narrow the block range or the filter`)
          }
          out.push({
            ...log,
            blockNumber: header.number,
            blockHash: hash,
            blockTimestamp: header.timestamp,
            transactionHash: txHashes[txIndex],
            transactionIndex: txIndex,
            logIndex,
            removed: false,
          })
        }
        logIndex++
      }
    })
  }
}

export function matches(log: StoredLog, filter: LogFilter): boolean {
  if (filter.addresses.length > 0 && !filter.addresses.some((a) => equal(a, log.address))) return false
  for (let i = 0; i < filter.topics.length; i++) {
    const want = filter.topics[i]
    if (want === null || want.length === 0) continue
    const have = log.topics[i]
    if (have === undefined || !want.some((t) => equal(t, have))) return false
  }
  return true
}

/** A test on a header's 2048-bit bloom, with the filter's keccak bit positions computed once. */
function bloomProbe(chain: Chain, filter: LogFilter): (bloom: Uint8Array) => boolean {
  const bits = (v: Uint8Array): Array<[number, number]> => {
    const h = chain.crypto.keccak256(v)
    const out: Array<[number, number]> = []
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i] << 8) | h[i + 1]) & 2047
      out.push([255 - (bit >> 3), 1 << (bit & 7)])
    }
    return out
  }
  const has = (bloom: Uint8Array, b: Array<[number, number]>) => b.every(([byte, mask]) => (bloom[byte] & mask) !== 0)
  const groups: Array<Array<Array<[number, number]>>> = []
  if (filter.addresses.length > 0) groups.push(filter.addresses.map(bits))
  for (const t of filter.topics) if (t !== null && t.length > 0) groups.push(t.map(bits))
  return (bloom) => groups.every((alternatives) => alternatives.some((b) => has(bloom, b)))
}

/** Every log of a block just executed, with its position, without reading the database. */
export function logsOfBlock(executed: ExecutedBlock): LogWithContext[] {
  const { block, receipts } = executed
  const header = block.header
  const blockHash = block.hash()
  const out: LogWithContext[] = []
  let logIndex = 0
  receipts.forEach((r, txIndex) => {
    const transactionHash = block.transactions[txIndex].hash()
    for (const log of r.logs) {
      out.push({ ...log, blockNumber: header.number, blockHash, blockTimestamp: header.timestamp, transactionHash, transactionIndex: txIndex, logIndex: logIndex++, removed: false })
    }
  })
  return out
}
