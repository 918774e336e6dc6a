// Polled filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter): each
// collects what happened since its last poll; one not polled for five minutes is removed, as geth.
import { randomBytes } from 'node:crypto'
import type { Chain, ExecutedBlock, TxPool, PoolTx } from '../chain/index.ts'
import { logsOfBlock, matches } from '../chain/logs.ts'
import type { LogFilter, LogWithContext } from '../chain/logs.ts'
import type { FilterParams } from './params.ts'

const TIMEOUT_MS = 5 * 60_000
const MAX_BUFFERED = 10_000

type Filter =
  | { kind: 'logs'; criteria: FilterParams; buffer: LogWithContext[]; lastPoll: number }
  | { kind: 'blocks'; buffer: Uint8Array[]; lastPoll: number }
  | { kind: 'pending'; buffer: Uint8Array[]; lastPoll: number }

export class FilterManager {
  readonly #filters = new Map<string, Filter>()
  readonly #timer: NodeJS.Timeout
  readonly #onBlock = (e: ExecutedBlock) => this.#block(e)
  readonly #onTxs = (txs: PoolTx[]) => this.#pending(txs)
  readonly #chain: Chain
  readonly #pool: TxPool

  constructor(chain: Chain, pool: TxPool) {
    this.#chain = chain
    this.#pool = pool
    chain.on('block', this.#onBlock)
    pool.on('added', this.#onTxs)
    this.#timer = setInterval(() => this.#expire(), 30_000).unref()
  }

  close(): void {
    clearInterval(this.#timer)
    this.#chain.off('block', this.#onBlock)
    this.#pool.off('added', this.#onTxs)
    this.#filters.clear()
  }

  newLogFilter(criteria: FilterParams): string {
    return this.#add({ kind: 'logs', criteria, buffer: [], lastPoll: Date.now() })
  }

  newBlockFilter(): string {
    return this.#add({ kind: 'blocks', buffer: [], lastPoll: Date.now() })
  }

  newPendingFilter(): string {
    return this.#add({ kind: 'pending', buffer: [], lastPoll: Date.now() })
  }

  get(id: string): Filter | undefined {
    return this.#filters.get(id)
  }

  /** Returns and clears what the filter collected. */
  changes(id: string): Filter['buffer'] | undefined {
    const f = this.#filters.get(id)
    if (f === undefined) return undefined
    const out = f.buffer
    f.buffer = []
    f.lastPoll = Date.now()
    return out
  }

  uninstall(id: string): boolean {
    return this.#filters.delete(id)
  }

  #add(f: Filter): string {
    const id = `0x${randomBytes(16).toString('hex')}`
    this.#filters.set(id, f)
    return id
  }

  #block(e: ExecutedBlock): void {
    let logs: LogWithContext[] | undefined
    for (const f of this.#filters.values()) {
      if (f.kind === 'blocks') push(f.buffer, e.block.hash())
      else if (f.kind === 'logs' && f.criteria.blockHash === undefined && withinRange(f.criteria, e.block.header.number)) {
        logs ??= logsOfBlock(e)
        for (const l of logs) if (matches(l, asLogFilter(f.criteria))) push(f.buffer, l)
      }
    }
  }

  #pending(txs: PoolTx[]): void {
    for (const f of this.#filters.values()) if (f.kind === 'pending') for (const t of txs) push(f.buffer, t.hash)
  }

  #expire(): void {
    const cutoff = Date.now() - TIMEOUT_MS
    for (const [id, f] of this.#filters) if (f.lastPoll < cutoff) this.#filters.delete(id)
  }
}

function push<T>(buffer: T[], item: T): void {
  if (buffer.length >= MAX_BUFFERED) buffer.shift()
  buffer.push(item)
}

function withinRange(c: FilterParams, n: bigint): boolean {
  if (typeof c.fromBlock === 'bigint' && n < c.fromBlock) return false
  if (typeof c.toBlock === 'bigint' && n > c.toBlock) return false
  return true
}

export function asLogFilter(c: FilterParams): LogFilter {
  return { addresses: c.addresses, topics: c.topics }
}
