// Records a block's execution produces beside its state: the outcome of every receipt settled
// (who was paid what, for which attribution), what each contribution earned, and the bytes of
// scoring graphs registered. The state holds only what consensus needs (balances, replay records,
// graph hashes); these records are what the node keeps to answer opal_getReceipt and
// opal_getContributionStats and to run registered graphs. They are
// collected per EVM while a block executes, per transaction, and dropped with a failed one.
import type { EVM } from '@ethereumjs/evm'
import type { SettlementOutcome } from './receipts/outcome.ts'

export interface ScoringGraphBytes {
  id: Uint8Array
  bytes: Uint8Array
}

/** What one settlement batch changed of a contribution's statistics. */
export interface ContributionEarning {
  contributionId: bigint
  /** wei the batch paid it */
  earned: bigint
  /** receipts it was a candidate for, and its Datanet's earning receipts, when it last earned in the batch */
  candidateAtLastEarn: bigint
  datanetEarningAtLastEarn: bigint
}

export interface BlockArtifacts {
  settlements: SettlementOutcome[]
  earnings: ContributionEarning[]
  graphs: ScoringGraphBytes[]
}

interface Collector {
  txIndex: number
  block: BlockArtifacts
  tx: BlockArtifacts
}

const collectors = new WeakMap<object, Collector>()

export const noArtifacts = (): BlockArtifacts => ({ settlements: [], earnings: [], graphs: [] })

/** Starts collecting on this EVM (block production or import); calls outside a block record nothing. */
export function beginBlockArtifacts(evm: EVM): void {
  collectors.set(evm, { txIndex: 0, block: noArtifacts(), tx: noArtifacts() })
}

export function beginTxArtifacts(evm: EVM, txIndex: number): void {
  const c = collectors.get(evm)
  if (c === undefined) return
  c.txIndex = txIndex
  c.tx = noArtifacts()
}

/** Keeps the transaction's records if it succeeded. */
export function endTxArtifacts(evm: EVM, succeeded: boolean): void {
  const c = collectors.get(evm)
  if (c === undefined) return
  if (succeeded) {
    // tens of thousands a batch: pushed one by one, not spread as arguments
    for (const o of c.tx.settlements) {
      o.txIndex = c.txIndex
      c.block.settlements.push(o)
    }
    for (const e of c.tx.earnings) c.block.earnings.push(e)
    c.block.graphs.push(...c.tx.graphs)
  }
  c.tx = noArtifacts()
}

export function finishBlockArtifacts(evm: EVM): BlockArtifacts {
  const c = collectors.get(evm)
  collectors.delete(evm)
  return c?.block ?? noArtifacts()
}

export function discardBlockArtifacts(evm: EVM): void {
  collectors.delete(evm)
}

export function recordSettlements(evm: EVM, outcomes: SettlementOutcome[], earnings: ContributionEarning[]): void {
  const tx = collectors.get(evm)?.tx
  if (tx === undefined) return
  for (const o of outcomes) tx.settlements.push(o)
  for (const e of earnings) tx.earnings.push(e)
}

export function recordGraph(evm: EVM, graph: ScoringGraphBytes): void {
  collectors.get(evm)?.tx.graphs.push(graph)
}

/** Whether this EVM is executing a block (production or import) rather than a call. */
export function executingBlock(evm: EVM): boolean {
  return collectors.has(evm)
}

/** The bytes of a scoring graph registered earlier in the block (or transaction) this EVM is executing. */
export function pendingGraph(evm: EVM, id: Uint8Array): Uint8Array | undefined {
  const c = collectors.get(evm)
  if (c === undefined) return undefined
  const same = (g: ScoringGraphBytes) => g.id.length === id.length && g.id.every((b, i) => b === id[i])
  return (c.tx.graphs.find(same) ?? c.block.graphs.find(same))?.bytes
}
