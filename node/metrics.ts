// Prometheus metrics for the node, all named opal_*, served at GET /metrics on the RPC port.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Chain, ExecutedBlock, TxPool } from '../chain/index.ts'

export interface NodeMetrics {
  registry: Registry
  observeRpc(method: string, seconds: number, ok: boolean): void
  close(): void
}

/** what the attribution engine reports */
export interface ScoringCounters {
  readonly queriesScored: number
}

export function createMetrics(chain: Chain, pool: TxPool, scoring: ScoringCounters): NodeMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'opal_' })
  const head = new Gauge({ name: 'opal_chain_head_number', help: 'Number of the head block', registers: [registry] })
  const blocks = new Counter({ name: 'opal_chain_blocks_total', help: 'Blocks committed since start', registers: [registry] })
  const txs = new Counter({ name: 'opal_chain_transactions_total', help: 'Transactions committed since start', registers: [registry] })
  const gas = new Histogram({
    name: 'opal_block_gas_used_ratio',
    help: 'Gas used / gas limit of committed blocks',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1],
    registers: [registry],
  })
  new Gauge({
    name: 'opal_txpool_transactions',
    help: 'Transactions held by the pool',
    registers: [registry],
    collect() {
      this.set(pool.size)
    },
  })
  let scored = 0
  new Counter({
    name: 'opal_attribution_queries_scored_total',
    help: 'Receipt sketches scored against candidate sets (settlement, score views, calls) since start',
    registers: [registry],
    collect() {
      this.inc(scoring.queriesScored - scored)
      scored = scoring.queriesScored
    },
  })
  const rpcSeconds = new Histogram({
    name: 'opal_rpc_request_seconds',
    help: 'JSON-RPC request handling time by method and outcome',
    labelNames: ['method', 'outcome'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  })
  head.set(Number(chain.head.number))
  const onBlock = (e: ExecutedBlock) => {
    head.set(Number(e.block.header.number))
    blocks.inc()
    txs.inc(e.block.transactions.length)
    gas.observe(Number(e.block.header.gasUsed) / Number(e.block.header.gasLimit))
  }
  chain.on('block', onBlock)
  return {
    registry,
    observeRpc: (method, seconds, ok) => rpcSeconds.observe({ method, outcome: ok ? 'ok' : 'error' }, seconds),
    close: () => chain.off('block', onBlock),
  }
}
