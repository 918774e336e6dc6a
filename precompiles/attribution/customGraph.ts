// Attribution by a registered scoring graph: the consensus definition, run by the reference
// interpreter (onnx/interpreter.ts), which is deterministic — so, unlike an accelerator, a tie
// needs no second opinion.
//
//   for each query, on its own (B = 1: a receipt's attribution never depends on its batch):
//   query uint8 [1, d] (int8 sketch + 128), candidates uint8 [d, n] (+128, transposed, columns in
//   ascending contribution id), k int64 [1] = min(k + 1, n)
//   ─► graph ─► scores (any integer type) and indices (int64), both [1, K]
//   ─► every index must name a column once (else the graph fails) ─► scores ≤ 0 dropped
//   ─► order: score descending, index ascending ─► the first k
//
// In the indexed mode the columns are only the candidates the index proposes for that query (the
// set the built-in indexed path scores), in ascending order, and indices are mapped back. A graph
// that fails on a query (a GraphError: bad indices, a score beyond ±(2⁵³ − 1), more work or memory
// than its bound) gives that query no attribution, the same on every node.
import { INDEXED_GRAPH_CANDIDATES, graphWorkBound } from './gas.ts'
import { MAX_LIVE_BYTES, MAX_WORK } from './onnx/limits.ts'
import { compileModel } from './onnx/interpreter.ts'
import type { CompiledGraph, RunLimits } from './onnx/interpreter.ts'
import { DT, GraphError, INTEGER_TYPES, typeName } from './onnx/tensor.ts'
import type { Tensor } from './onnx/tensor.ts'
import { GraphRejected, validateScoringModel } from './onnx/validate.ts'
import { decodeModel } from './onnx/wire.ts'
import { consensus } from './topk.ts'
import type { Scored } from './topk.ts'

/**
 * What one run on n columns may spend: the work the gas pays for (gas.ts, graphWorkBound); memory
 * for a few int64 copies of the candidate matrix. Both within the absolute caps every validator
 * must meet (onnx/limits.ts), whatever the price.
 */
export function graphLimits(n: number, dim: number, nodes: number): RunLimits {
  return {
    maxWork: Math.min(graphWorkBound(n, dim, nodes), MAX_WORK),
    maxLiveBytes: Math.min(64 * 1024 * 1024 + 32 * n * dim, MAX_LIVE_BYTES),
  }
}

/**
 * A registered graph decoded for scoring: admitted by the whitelist, accepted by the interpreter,
 * and shaped as the chain calls it. Throws GraphError naming what does not fit.
 */
export function compileScoringGraph(bytes: Uint8Array): CompiledGraph {
  // scanned and decoded once, for both the whitelist and the interpreter
  const model = decodeModel(bytes, (message) => new GraphError(message))
  try {
    validateScoringModel(model)
  } catch (err) {
    if (err instanceof GraphRejected) throw new GraphError(err.message)
    throw err
  }
  const graph = compileModel(model)
  const expect = (name: string, type: number, rank: number) => {
    const v = graph.inputs.get(name)
    if (v === undefined) throw new GraphError(`a scoring graph takes the input ${name}`)
    if (v.type !== type) throw new GraphError(`input ${name} must be ${typeName(type)}, not ${typeName(v.type)}`)
    if (v.dims !== undefined && v.dims.length !== rank) throw new GraphError(`input ${name} must have rank ${rank}`)
  }
  expect('query', DT.UINT8, 2)
  expect('candidates', DT.UINT8, 2)
  expect('k', DT.INT64, 1)
  for (const name of graph.inputs.keys()) {
    if (name !== 'query' && name !== 'candidates' && name !== 'k' && !graph.hasInitializer(name)) throw new GraphError(`input ${name} is neither one the chain gives nor an initializer`)
  }
  const scores = graph.outputs.get('scores')
  const indices = graph.outputs.get('indices')
  if (scores === undefined || indices === undefined) throw new GraphError('a scoring graph gives the outputs scores and indices')
  if (!INTEGER_TYPES.has(scores.type) || scores.type === DT.BOOL) throw new GraphError(`output scores must be of an integer type, not ${typeName(scores.type)}`)
  if (indices.type !== DT.INT64) throw new GraphError(`output indices must be int64, not ${typeName(indices.type)}`)
  return graph
}

/** The candidates as the graph takes them: uint8 [d, n], each byte + 128, columns in the order given (all rows if none). */
export function graphColumns(rows: Int8Array, dim: number, subset?: ArrayLike<number>): Uint8Array {
  const n = subset === undefined ? rows.length / dim : subset.length
  const out = new Uint8Array(dim * n)
  for (let c = 0; c < n; c++) {
    const r = (subset === undefined ? c : subset[c]) * dim
    for (let j = 0; j < dim; j++) out[j * n + c] = rows[r + j] + 128
  }
  return out
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** The graph's outputs for one query in the consensus order: the best k positive scores, indexes into the n columns. */
export function consensusTop(scores: Tensor, indices: Tensor, n: number, k: number): Scored[] {
  const shape = (t: Tensor) => `[${t.dims.join(',')}]`
  if (scores.dims.length !== 2 || scores.dims[0] !== 1 || shape(scores) !== shape(indices)) {
    throw new GraphError(`scores ${shape(scores)} and indices ${shape(indices)} must both be [1, K]`)
  }
  const seen = new Set<number>()
  const entries: Scored[] = []
  for (let i = 0; i < indices.data.length; i++) {
    const at = indices.data[i] as bigint
    if (at < 0n || at >= BigInt(n)) throw new GraphError(`index ${at} is not one of the ${n} candidates`)
    const index = Number(at)
    if (seen.has(index)) throw new GraphError(`index ${index} is given twice`)
    seen.add(index)
    const s = scores.data[i]
    if (typeof s === 'bigint' && (s > SAFE || s < -SAFE)) throw new GraphError(`score ${s} is beyond ±(2^53 - 1)`)
    const score = Number(s)
    if (score > 0) entries.push({ index, score })
  }
  entries.sort(consensus)
  return entries.slice(0, k)
}

/** Runs the graph on one query against n columns; throws GraphError if the graph fails on it. */
export function runScoringGraph(graph: CompiledGraph, query: Int8Array, columns: Uint8Array, n: number, k: number): Scored[] {
  const dim = query.length
  const shifted = new Uint8Array(dim)
  for (let j = 0; j < dim; j++) shifted[j] = query[j] + 128
  let out: Record<string, Tensor>
  try {
    out = graph.run(
      {
        query: { type: DT.UINT8, dims: [1, dim], data: shifted },
        candidates: { type: DT.UINT8, dims: [dim, n], data: columns },
        k: { type: DT.INT64, dims: [1], data: BigInt64Array.of(BigInt(Math.min(k + 1, n))) },
      },
      graphLimits(n, dim, graph.nodes),
    )
  } catch (err) {
    if (err instanceof GraphError) throw err
    // Any other exception of a run is a defect of a kernel on this graph and input, the same on
    // every node: a run has no recursion (no stack depth to vary), allocates only what its budget
    // admitted within absolute caps (onnx/limits.ts) and charges every loop before it runs. So the
    // query fails like any graph error, rather than abort settlement of the block for everyone.
    throw new GraphError(`the graph fails on this input: ${(err as Error)?.name ?? 'error'}: ${(err as Error)?.message ?? String(err)}`)
  }
  return consensusTop(out.scores, out.indices, n, k)
}

/** One candidate set scored by a graph; the full column matrix is built once, on first use. */
export class GraphScorer {
  readonly graph: CompiledGraph
  readonly #rows: Int8Array
  readonly #dim: number
  readonly #k: number
  #columns: Uint8Array | undefined

  constructor(graph: CompiledGraph, rows: Int8Array, dim: number, k: number) {
    this.graph = graph
    this.#rows = rows
    this.#dim = dim
    this.#k = k
  }

  /** The top k of `query` among every candidate, or among `subset` (ascending candidate indexes) mapped back. */
  score(query: Int8Array, subset?: Int32Array): Scored[] {
    const n = subset === undefined ? this.#rows.length / this.#dim : subset.length
    if (n === 0) return []
    if (subset === undefined) {
      this.#columns ??= graphColumns(this.#rows, this.#dim)
      return runScoringGraph(this.graph, query, this.#columns, n, this.#k)
    }
    if (n > INDEXED_GRAPH_CANDIDATES) throw new GraphError(`the index proposes ${n} candidates, more than the ${INDEXED_GRAPH_CANDIDATES} a registered graph is run on`)
    const top = runScoringGraph(this.graph, query, graphColumns(this.#rows, this.#dim, subset), n, this.#k)
    return top.map((t) => ({ index: subset[t.index], score: t.score }))
  }
}
