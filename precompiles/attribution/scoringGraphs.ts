// The registered scoring graphs this node can run, by id. The state keeps a graph's hash; its
// bytes come from the node (the blocks that registered it) or, for a graph registered earlier in
// the block being executed, from that block's records. A decoded graph is kept by id: ids are the
// keccak256 of the bytes, so an entry is right for every state that registered the graph.
import { keccak_256 } from '@noble/hashes/sha3.js'
import { equalsBytes } from '@ethereumjs/util'
import { hex } from '../framework/hex.ts'
import { compileScoringGraph } from './customGraph.ts'
import type { CompiledGraph } from './onnx/interpreter.ts'
import { GraphError } from './onnx/tensor.ts'

/** Where a node keeps the bytes of registered graphs. */
export type GraphSource = (id: Uint8Array) => Promise<Uint8Array | undefined>
/** Graphs registered earlier in the block being executed (not yet where the node keeps them). */
export type PendingGraphs = (id: Uint8Array) => Uint8Array | undefined

/** How this node scores a model's receipts. */
export type Scoring =
  | { by: 'default' }
  | { by: 'graph'; graph: CompiledGraph }
  /**
   * a registered graph this node cannot run: `missing` when it lacks the bytes (a fault of this
   * node), otherwise the interpreter refuses them (the same on every node)
   */
  | { by: 'none'; missing: boolean; reason: string }

/**
 * A node without a registered graph's bytes cannot execute a block that needs them: it must stop
 * (this is not a Revert, so the block is refused) rather than reach another state.
 */
export class GraphBytesMissing extends Error {}

const KEPT = 32

export class ScoringGraphs {
  readonly #decoded = new Map<string, Scoring>()
  #source: GraphSource | undefined

  /** Set once the node's database is open (the engine is made before it). */
  useSource(source: GraphSource): void {
    this.#source = source
  }

  /**
   * Keeps a graph just registered, decoded: a call (eth_call, a gas estimate) that registers a
   * graph and uses it records its bytes nowhere else. Harmless for blocks: an entry is right for
   * its id whatever registered it, and having bytes never changes a result, only whether this
   * node can compute it.
   */
  remember(id: Uint8Array, graph: CompiledGraph): void {
    this.#keep(hex(id), { by: 'graph', graph })
  }

  async resolve(id: Uint8Array, pending?: PendingGraphs): Promise<Scoring> {
    const key = hex(id)
    const known = this.#decoded.get(key)
    if (known !== undefined) {
      // most recently used last
      this.#decoded.delete(key)
      this.#decoded.set(key, known)
      return known
    }
    const bytes = pending?.(id) ?? (await this.#source?.(id))
    if (bytes === undefined) return { by: 'none', missing: true, reason: `this node does not have the bytes of scoring graph ${key}` }
    if (!equalsBytes(keccak_256(bytes), id)) return { by: 'none', missing: true, reason: `the bytes this node keeps for scoring graph ${key} do not hash to it` }
    let scoring: Scoring
    try {
      scoring = { by: 'graph', graph: compileScoringGraph(bytes) }
    } catch (err) {
      if (!(err instanceof GraphError)) throw err
      scoring = { by: 'none', missing: false, reason: `scoring graph ${key} cannot be run: ${err.message}` }
    }
    this.#keep(key, scoring)
    return scoring
  }

  #keep(key: string, scoring: Scoring): void {
    this.#decoded.delete(key)
    this.#decoded.set(key, scoring)
    while (this.#decoded.size > KEPT) this.#decoded.delete(this.#decoded.keys().next().value as string)
  }
}
