// Gas of scoring one receipt, from N, d, the mode and (for a registered graph) its node count only
// — never from what a cache holds, so every node charges the same.
import type { GasSchedule } from '../framework/gas.ts'

export type ScoringMode = 'exact' | 'indexed'

/**
 * The built-in kernels. Priced from the reference kernel's measured cost on a 2-core machine, at
 * N = 100,000 and d = 128: the exact scan 0.70 ms per query (by default N·d/256 gas: 50,000); the
 * indexed mode with the default IVF 0.02 ms (centre scores and ≈ 950 probed candidates, plus
 * clusters that grow with N: 1,500 + N·d/25,600, i.e. 2,000); with an LSH index 0.50 ms
 * (2,000 + N·d/360, its default prices when it is chosen).
 */
export function scoringGas(gas: GasSchedule, candidates: number, dim: number, mode: ScoringMode): bigint {
  const macs = BigInt(candidates) * BigInt(dim)
  return mode === 'exact' ? (macs + gas.scoreExactMacs - 1n) / gas.scoreExactMacs : gas.scoreIndexedBase + (macs + gas.scoreIndexedMacs - 1n) / gas.scoreIndexedMacs
}

/** The default graph's node count: a registered graph up to this size pays the base price. */
export const BASE_GRAPH_NODES = 3

/**
 * How much slower the reference interpreter scores than the built-in kernels: at N = 100,000,
 * d = 128, one query, the default graph through the interpreter took ≈ 20 ms here, against the
 * WebAssembly kernel's 0.70 ms.
 */
export const GRAPH_INTERPRETER_FACTOR = 30n

/**
 * A registered graph of `nodes` nodes: the built-in price for the same N, d and mode, times
 * GRAPH_INTERPRETER_FACTOR, times max(nodes, 3) / 3, rounded up. Never less than the built-in
 * price, and more for every node beyond three, in step with the work a run may do (its bound
 * grows with max(nodes, 3) too: customGraph.ts, graphLimits).
 */
export function graphScoringGas(gas: GasSchedule, candidates: number, dim: number, mode: ScoringMode, nodes: number): bigint {
  const units = BigInt(Math.max(nodes, BASE_GRAPH_NODES))
  const base = BigInt(BASE_GRAPH_NODES)
  return (scoringGas(gas, candidates, dim, mode) * GRAPH_INTERPRETER_FACTOR * units + base - 1n) / base
}
