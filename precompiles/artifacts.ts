// Records a block's execution produces beside its state: the outcome of every receipt settled
// (who was paid what, for which attribution) and the bytes of scoring graphs registered. The
// state holds only what consensus needs (balances, replay records, graph hashes); these records
// are what the node keeps to answer opal_getReceipt and to run registered graphs. They are
// collected per EVM while a block executes, per transaction, and dropped with a failed one.
import type { EVM } from '@ethereumjs/evm'
import type { SettlementOutcome } from './receipts/outcome.ts'

export interface ScoringGraphBytes {
  id: Uint8Array
  bytes: Uint8Array
}

export interface BlockArtifacts {
  settlements: SettlementOutcome[]
  graphs: ScoringGraphBytes[]
}

interface Collector {
  txIndex: number
  block: BlockArtifacts
  tx: BlockArtifacts
}

const collectors = new WeakMap<object, Collector>()

const empty = (): BlockArtifacts => ({ settlements: [], graphs: [] })

/** Starts collecting on this EVM (block production or import); calls outside a block record nothing. */
export function beginBlockArtifacts(evm: EVM): void {
  collectors.set(evm, { txIndex: 0, block: empty(), tx: empty() })
}

export function beginTxArtifacts(evm: EVM, txIndex: number): void {
  const c = collectors.get(evm)
  if (c === undefined) return
  c.txIndex = txIndex
  c.tx = empty()
}

/** Keeps the transaction's records if it succeeded. */
export function endTxArtifacts(evm: EVM, succeeded: boolean): void {
  const c = collectors.get(evm)
  if (c === undefined) return
  if (succeeded) {
    for (const o of c.tx.settlements) o.txIndex = c.txIndex
    c.block.settlements.push(...c.tx.settlements)
    c.block.graphs.push(...c.tx.graphs)
  }
  c.tx = empty()
}

export function finishBlockArtifacts(evm: EVM): BlockArtifacts {
  const c = collectors.get(evm)
  collectors.delete(evm)
  return c?.block ?? empty()
}

export function discardBlockArtifacts(evm: EVM): void {
  collectors.delete(evm)
}

export function recordSettlements(evm: EVM, outcomes: SettlementOutcome[]): void {
  collectors.get(evm)?.tx.settlements.push(...outcomes)
}

export function recordGraph(evm: EVM, graph: ScoringGraphBytes): void {
  collectors.get(evm)?.tx.graphs.push(graph)
}
