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
 * The work a run of a graph of `nodes` nodes on n columns of d may do (units weighted to cost at
 * most about one multiply-add each: onnx/ops/cost.ts): per node, one default scoring of the query
 * (a multiply-add per candidate byte), room for a TopK of the candidates at its worst (≈ 28 units
 * per candidate for k = 33), and 4,096 for its fixed costs (an input of Add or Max alone is charged
 * 700: ops/cost.ts). The default graph is charged ≈ 0.4 of its
 * bound at n = 100,000, d = 128 (19.4M of 47.4M units).
 */
export function graphWorkBound(candidates: number, dim: number, nodes: number): number {
  return Math.max(nodes, BASE_GRAPH_NODES) * (candidates * (dim + 30) + dim + 4096)
}

/**
 * Work units one gas pays for in the exact mode. The default graph (≈ 14 ms for 1.5M gas at
 * n = 100,000, d = 128) costs ≈ 9.4 ns per gas, its own MatMulInteger ≈ 1.05 ns per unit; at the
 * worst patterns measured (Max over many int64 inputs, 64-bit sums spilling into BigInts, rank-8
 * reductions: ≈ 1.0–2.0 ns per unit from run to run) a graph using its whole bound costs ≈ 35–65 ns
 * per gas, ≈ 4–7× the default graph. A smaller divisor cannot lower that ratio: below ≈ 31.6 the default graph is
 * charged by its bound too, so the weights of ops/cost.ts are where it is set.
 */
export const GRAPH_UNITS_PER_GAS = 32

/**
 * Most candidates a registered graph is run on in the indexed mode. The index proposes ≈ 950 per
 * query with the default IVF and ≈ 6,500 with the LSH index at N = 100,000; a query for which it
 * proposes more (sketches crowded into one cluster) gets no attribution by the graph — so the
 * indexed price can cover the work of a run on this many, whatever the clusters hold.
 */
export const INDEXED_GRAPH_CANDIDATES = 8192

/**
 * A registered graph of `nodes` nodes: the built-in price for the same N, d and mode, times
 * GRAPH_INTERPRETER_FACTOR, times max(nodes, 3) / 3, rounded up; and at least
 * ⌈graphWorkBound / GRAPH_UNITS_PER_GAS⌉ for the candidates a run may have (N in the exact mode, at
 * most INDEXED_GRAPH_CANDIDATES in the indexed mode), so that the gas covers all the work a run may
 * do also where the built-in price follows N·d and the bound does not (small d, small N).
 */
export function graphScoringGas(gas: GasSchedule, candidates: number, dim: number, mode: ScoringMode, nodes: number): bigint {
  const units = BigInt(Math.max(nodes, BASE_GRAPH_NODES))
  const base = BigInt(BASE_GRAPH_NODES)
  const priced = (scoringGas(gas, candidates, dim, mode) * GRAPH_INTERPRETER_FACTOR * units + base - 1n) / base
  const bound = BigInt(graphWorkBound(mode === 'exact' ? candidates : Math.min(candidates, INDEXED_GRAPH_CANDIDATES), dim, nodes))
  const covering = (bound + BigInt(GRAPH_UNITS_PER_GAS) - 1n) / BigInt(GRAPH_UNITS_PER_GAS)
  return covering > priced ? covering : priced
}
