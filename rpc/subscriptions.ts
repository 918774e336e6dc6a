// eth_subscribe over WebSocket: newHeads, logs and newPendingTransactions pushed to each
// connection as `eth_subscription` notifications.
import { randomBytes } from 'node:crypto'
import type { Chain, ExecutedBlock, TxPool, PoolTx } from '../chain/index.ts'
import { logsOfBlock, matches } from '../chain/logs.ts'
import type { LogWithContext } from '../chain/logs.ts'
import { asLogFilter } from './filters.ts'
import { formatHeader, formatLog, formatTx } from './format.ts'
import { data } from './hex.ts'
import type { Connection } from './method.ts'
import type { FilterParams } from './params.ts'

export type SubscriptionKind = 'newHeads' | 'logs' | 'newPendingTransactions'

interface Subscription {
  id: string
  connection: Connection
  kind: SubscriptionKind
  criteria?: FilterParams
  fullTransactions?: boolean
}

export class SubscriptionManager {
  readonly #subs = new Map<string, Subscription>()
  readonly #chain: Chain
  readonly #pool: TxPool
  readonly #onBlock = (e: ExecutedBlock) => this.#block(e)
  readonly #onTxs = (txs: PoolTx[]) => this.#pending(txs)

  constructor(chain: Chain, pool: TxPool) {
    this.#chain = chain
    this.#pool = pool
    chain.on('block', this.#onBlock)
    pool.on('added', this.#onTxs)
  }

  close(): void {
    this.#chain.off('block', this.#onBlock)
    this.#pool.off('added', this.#onTxs)
    this.#subs.clear()
  }

  subscribe(connection: Connection, kind: SubscriptionKind, opts: { criteria?: FilterParams; fullTransactions?: boolean } = {}): string {
    const id = `0x${randomBytes(16).toString('hex')}`
    this.#subs.set(id, { id, connection, kind, ...opts })
    return id
  }

  unsubscribe(connection: Connection, id: string): boolean {
    const s = this.#subs.get(id)
    if (s === undefined || s.connection.id !== connection.id) return false
    return this.#subs.delete(id)
  }

  dropConnection(connection: Connection): void {
    for (const [id, s] of this.#subs) if (s.connection.id === connection.id) this.#subs.delete(id)
  }

  get size(): number {
    return this.#subs.size
  }

  #notify(s: Subscription, result: unknown): void {
    s.connection.send({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: s.id, result } })
  }

  #block(e: ExecutedBlock): void {
    if (this.#subs.size === 0) return
    let head: unknown
    let logs: LogWithContext[] | undefined
    for (const s of this.#subs.values()) {
      if (s.kind === 'newHeads') {
        head ??= formatHeader(e.block.header)
        this.#notify(s, head)
      } else if (s.kind === 'logs') {
        logs ??= logsOfBlock(e)
        const filter = asLogFilter(s.criteria ?? { addresses: [], topics: [] })
        for (const l of logs) if (matches(l, filter)) this.#notify(s, formatLog(l))
      }
    }
  }

  #pending(txs: PoolTx[]): void {
    for (const s of this.#subs.values()) {
      if (s.kind !== 'newPendingTransactions') continue
      for (const t of txs) this.#notify(s, s.fullTransactions === true ? formatTx(t.tx, t.sender) : data(t.hash))
    }
  }
}
