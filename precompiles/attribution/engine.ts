// The attribution engine: what a model's receipts are scored against, and the scoring.
//
//   model ─► cited versions ─► per Datanet the longest cited prefix of its accepted list, minus
//   contributions flagged since ─► candidates in contribution-id order ─► CandidateSet (kernels,
//   LSH index) ─► top k per query, exact integers, (score desc, id asc)
//
// A model citing a registered graph other than the default is scored by that graph through the
// reference interpreter (customGraph.ts), on every candidate or on those its index proposes.
//
// Everything here is a cache derived from state and keyed by what determines it: a Datanet's
// prefix by the Merkle root of the version that pinned it (versions never change), a candidate
// set by the prefixes, the flagged contributions, the dimension, k and the scoring graph, a
// decoded graph by its hash. A key that does not match the state being executed is never used, so
// any state view (block production, import, a call at an old block) gets the same answers,
// whatever was cached before.
import { keccak_256 } from '@noble/hashes/sha3.js'
import { equalsBytes } from '@ethereumjs/util'
import type { Address } from '@ethereumjs/util'
import type { GasSchedule } from '../framework/gas.ts'
import { hex, hexKey } from '../framework/hex.ts'
import type { Store } from '../framework/storage.ts'
import * as D from '../datanets/records.ts'
import * as M from '../models/records.ts'
import type { AttributionSettings } from '../settings.ts'
import { CandidateSet } from './candidates.ts'
import type { Kernel } from './candidates.ts'
import { GraphScorer } from './customGraph.ts'
import type { CompiledGraph } from './onnx/interpreter.ts'
import { graphScoringGas, scoringGas } from './gas.ts'
import type { ScoringMode } from './gas.ts'
import { selfTest } from './onnx/accelerator.ts'
import { GraphError } from './onnx/tensor.ts'
import { dot } from './reference.ts'
import * as T from './records.ts'
import { ScoringGraphs } from './scoringGraphs.ts'
import type { ScoringThread } from './scoringThread.ts'
import type { GraphSource, PendingGraphs, Scoring } from './scoringGraphs.ts'
import type { Scored } from './topk.ts'

export type KernelSetting = 'auto' | Kernel
export type { ScoringMode } from './gas.ts'
export { GraphBytesMissing } from './scoringGraphs.ts'
export type { GraphSource, PendingGraphs, Scoring } from './scoringGraphs.ts'
export { GraphError } from './onnx/tensor.ts'

export interface EngineOptions {
  kernel: KernelSetting
  intraOpNumThreads: number
  settings: AttributionSettings
  /** keccak256 of the default scoring graph: models citing it (or zero) use the built-in kernels */
  defaultGraphId: Uint8Array
  /** candidate sets kept in memory */
  maxSets?: number
  /** scores the indexed mode off the calling thread (the node's main thread) */
  thread?: ScoringThread
}

/** Keeps derived bytes by key, outside the state; losing them only costs a rebuild. */
export interface PrefixStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  put(key: Uint8Array, value: Uint8Array): Promise<void>
}

export interface AttributionStores {
  datanets: Store
  models: Store
  attribution: Store
}

/** The part of a cited Datanet that is a model's candidates: the accepted list up to `count`. */
export interface CitedPrefix {
  datanetId: bigint
  /** the cited version with the most contributions */
  version: bigint
  count: bigint
  root: Uint8Array
}

export interface ModelInfo {
  modelId: bigint
  owner: Address
  /** sketch bytes: the first cited Datanet's dimension (Datanets of other dimensions are not candidates) */
  dim: number
  k: number
  configuredMode: T.Mode
  scoringGraphId: Uint8Array
  /** the default graph (or zero): scored by the built-in kernels */
  defaultGraph: boolean
  /** how this node scores the model: built-in kernels, a registered graph it can run, or not at all */
  scoring: Scoring
  prefixes: CitedPrefix[]
  /** per cited Datanet, the contributions of its cited prefix flagged since (no longer candidates) */
  flagged: Map<bigint, Set<bigint>>
}

export interface Candidates {
  dim: number
  ids: bigint[]
  datanetOf: bigint[]
  /** position of each candidate in its Datanet's accepted list */
  acceptIndex: number[]
  contributors: Uint8Array[]
  rows: Int8Array
  /** the kernels (default graph) or only the index of the indexed mode (registered graph); none without candidates */
  set: CandidateSet | undefined
  /** the registered graph that scores this set, if the model cites one */
  graph?: GraphScorer
}

interface DatanetPrefixCache {
  version: bigint
  root: Uint8Array
  dim: number
  ids: bigint[]
  contributors: Uint8Array[]
  sketches: Int8Array[]
}

const ZERO32 = new Uint8Array(32)
/** contributions read at once when a prefix is built */
const READ_CHUNK = 512n

export class AttributionEngine {
  readonly kernel: Kernel
  readonly kernelReason: string
  readonly #opts: EngineOptions
  readonly #prefixes = new Map<bigint, DatanetPrefixCache>()
  #prefixStore: PrefixStore | undefined
  readonly #sets = new Map<string, Promise<Candidates>>()
  readonly #graphs = new ScoringGraphs()
  #queriesScored = 0

  private constructor(opts: EngineOptions, kernel: Kernel, reason: string) {
    this.#opts = opts
    this.kernel = kernel
    this.kernelReason = reason
  }

  /** Chooses the kernel: onnxruntime only after its self-test matched the reference exactly. */
  static async create(opts: EngineOptions): Promise<AttributionEngine> {
    if (opts.kernel !== 'auto') return new AttributionEngine(opts, opts.kernel, `chosen by configuration (${opts.kernel})`)
    const choice = await selfTest({ intraOpNumThreads: opts.intraOpNumThreads })
    return new AttributionEngine(opts, choice.kernel, choice.reason)
  }

  /**
   * Keeps Datanet prefixes read from state between runs (the database is opened after the engine);
   * prefixes read before it was open (at genesis) are written to it now.
   */
  async usePrefixStore(store: PrefixStore): Promise<void> {
    this.#prefixStore = store
    for (const [datanetId, c] of this.#prefixes) await this.#store({ datanetId, version: c.version, count: BigInt(c.ids.length), root: c.root }, c)
  }

  /**
   * Reads a Datanet's accepted contributions, up to its latest version, into the prefix cache. At
   * genesis, from the seeded records in memory: the first receipt of a model citing a large seeded
   * Datanet then need not read them back from the state trie (100,000 took 40 s).
   */
  async warmPrefix(datanets: Store, datanetId: bigint): Promise<void> {
    const versions = await D.versionList(datanets, datanetId)
    const last = versions.at(-1)
    if (last === undefined) return
    const v = await D.readVersion(datanets, datanetId, last.version)
    if (v === undefined) return
    await this.#prefix(datanets, { datanetId, version: v.number, count: v.count, root: v.root }, await D.datanetSketchDim(datanets, datanetId))
  }

  /** Where the bytes of registered scoring graphs are read from (the node's database, opened after the engine). */
  useGraphSource(source: GraphSource): void {
    this.#graphs.useSource(source)
  }

  /** A graph just registered, decoded (see ScoringGraphs.remember). */
  rememberGraph(id: Uint8Array, graph: CompiledGraph): void {
    this.#graphs.remember(id, graph)
  }

  /**
   * A model's attribution parameters and cited prefixes: a few slot reads per cited version, and
   * for a registered graph its decoded form (kept by id). `pending`: graphs registered earlier in
   * the block being executed.
   */
  async modelInfo(s: AttributionStores, modelId: bigint, pending?: PendingGraphs): Promise<ModelInfo | undefined> {
    if (!(await M.modelExists(s.models, modelId))) return undefined
    const model = await M.readModelHead(s.models, modelId)
    const configured = await T.modelSettings(s.attribution, modelId)
    const byDatanet = new Map<bigint, CitedPrefix>()
    let dim = 0
    for (const ref of model.datanetVersions) {
      const d = ref.datanetId
      const dDim = await D.datanetSketchDim(s.datanets, d)
      if (dim === 0) dim = dDim
      if (dDim !== dim) continue
      const v = await D.readVersion(s.datanets, d, ref.version)
      if (v === undefined) continue
      const known = byDatanet.get(d)
      if (known === undefined || v.count > known.count) byDatanet.set(d, { datanetId: d, version: v.number, count: v.count, root: v.root })
    }
    const prefixes = [...byDatanet.values()].sort((a, b) => (a.datanetId < b.datanetId ? -1 : 1))
    // only what the prefix holds: a contribution accepted after the cited version was never a candidate
    const flagged = new Map<bigint, Set<bigint>>()
    for (const p of prefixes) {
      const inPrefix = new Set<bigint>()
      for (const id of await D.flaggedIds(s.datanets, p.datanetId)) {
        const index = await D.acceptIndexOf(s.datanets, id)
        if (index !== undefined && index < p.count) inPrefix.add(id)
      }
      flagged.set(p.datanetId, inPrefix)
    }
    const graph = model.scoringGraphId
    const defaultGraph = equalsBytes(graph, ZERO32) || equalsBytes(graph, this.#opts.defaultGraphId)
    return {
      modelId,
      owner: model.owner,
      dim,
      k: configured.k === 0 ? this.#opts.settings.k : configured.k,
      configuredMode: configured.mode,
      scoringGraphId: graph,
      defaultGraph,
      scoring: defaultGraph ? { by: 'default' } : await this.#graphs.resolve(graph, pending),
      prefixes,
      flagged,
    }
  }

  /** Number of candidates without building anything: the prefixes less the flagged among them. */
  candidateCount(info: ModelInfo): number {
    let n = 0n
    for (const p of info.prefixes) n += p.count - BigInt(info.flagged.get(p.datanetId)?.size ?? 0)
    return Number(n < 0n ? 0n : n)
  }

  /** The mode receipts of this model are scored in now. */
  modeOf(info: ModelInfo, candidates = this.candidateCount(info)): ScoringMode {
    if (info.configuredMode === T.Mode.Exact) return 'exact'
    if (info.configuredMode === T.Mode.Indexed) return 'indexed'
    return candidates > this.#opts.settings.indexedAbove ? 'indexed' : 'exact'
  }

  /** Gas of scoring one receipt of this model (gas.ts): by the built-in price, or by its graph's. */
  scoringGasOf(gas: GasSchedule, info: ModelInfo, candidates: number, mode: ScoringMode): bigint {
    return info.scoring.by === 'graph' ? graphScoringGas(gas, candidates, info.dim, mode, info.scoring.graph.nodes) : scoringGas(gas, candidates, info.dim, mode)
  }

  /** The model's candidate set, from the cache or built from state. */
  candidates(s: AttributionStores, info: ModelInfo): Promise<Candidates> {
    const mode = this.modeOf(info)
    const key = setKey(info, mode)
    let set = this.#sets.get(key)
    if (set === undefined) {
      set = this.#build(s, info, mode)
      this.#sets.set(key, set)
      set.catch(() => this.#sets.delete(key))
      this.#evict()
    } else {
      // most recently used last
      this.#sets.delete(key)
      this.#sets.set(key, set)
    }
    return set
  }

  /** sketches scored against a candidate set since start (settlement, views, calls): the work scoring did */
  get queriesScored(): number {
    return this.#queriesScored
  }

  /**
   * The top k of each query, in the consensus order; indexes refer to `c.ids`. A query on which a
   * registered graph fails has no attribution (customGraph.ts).
   */
  async score(c: Candidates, queries: Int8Array[], mode: ScoringMode): Promise<Scored[][]> {
    if (c.graph === undefined) {
      if (c.set === undefined || queries.length === 0) return queries.map(() => [])
      this.#queriesScored += queries.length
      return c.set.scoreBatch(this.#batch(c, queries), mode)
    }
    return (await this.tryScore(c, queries, mode)).map((r) => (r instanceof GraphError ? [] : r))
  }

  /** Like `score`, with the error of a registered graph that fails on a query (for the `score` view). */
  async tryScore(c: Candidates, queries: Int8Array[], mode: ScoringMode): Promise<Array<Scored[] | GraphError>> {
    const graph = c.graph
    if (graph === undefined) return this.score(c, queries, mode)
    if (c.ids.length === 0 || queries.length === 0) return queries.map(() => [])
    // the indexed mode gives the graph what the index proposes for each query; without an index, everything
    const probed = mode === 'indexed' && c.set !== undefined ? c.set.probedSets(this.#batch(c, queries)) : undefined
    this.#queriesScored += queries.length
    return queries.map((q, b) => {
      try {
        return graph.score(q, probed?.[b])
      } catch (err) {
        if (err instanceof GraphError) return err
        throw err
      }
    })
  }

  #batch(c: Candidates, queries: Int8Array[]): Int8Array {
    const batch = new Int8Array(queries.length * c.dim)
    queries.forEach((q, i) => batch.set(q, i * c.dim))
    return batch
  }

  /**
   * max(0, row · query) for one candidate: span evidence for a contribution outside the top k. A
   * model scored by a registered graph has no score outside the graph's top k: 0 (its span weight
   * alone counts).
   */
  exactScore(c: Candidates, index: number, query: Int8Array): bigint {
    if (c.graph !== undefined) return 0n
    const s = dot(c.rows, c.dim, index, query)
    return s > 0 ? BigInt(s) : 0n
  }

  async #build(s: AttributionStores, info: ModelInfo, mode: ScoringMode): Promise<Candidates> {
    const entries: Array<{ id: bigint; datanet: bigint; index: number; contributor: Uint8Array; sketch: Int8Array }> = []
    for (const p of info.prefixes) {
      const prefix = await this.#prefix(s.datanets, p, info.dim)
      const flagged = info.flagged.get(p.datanetId) ?? new Set<bigint>()
      const n = Number(p.count)
      for (let i = 0; i < n; i++) {
        if (flagged.has(prefix.ids[i])) continue
        entries.push({ id: prefix.ids[i], datanet: p.datanetId, index: i, contributor: prefix.contributors[i], sketch: prefix.sketches[i] })
      }
    }
    entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const rows = new Int8Array(entries.length * info.dim)
    entries.forEach((e, i) => rows.set(e.sketch, i * info.dim))
    const { index, ivf, lsh } = this.#opts.settings
    const indexed = mode === 'indexed' ? (index === 'ivf' ? { ivf } : { lsh }) : {}
    const scoring = info.scoring
    if (scoring.by === 'none') throw new Error(`model ${info.modelId} cannot be scored here: ${scoring.reason}`)
    const byGraph = scoring.by === 'graph'
    // a registered graph needs no kernel, only the index of the indexed mode
    const set = entries.length === 0 || (byGraph && mode === 'exact')
      ? undefined
      : await CandidateSet.build(rows, info.dim, info.k, { kernel: byGraph ? 'js' : this.kernel, intraOpNumThreads: this.#opts.intraOpNumThreads, thread: this.#opts.thread, ...indexed })
    return {
      dim: info.dim,
      ids: entries.map((e) => e.id),
      datanetOf: entries.map((e) => e.datanet),
      acceptIndex: entries.map((e) => e.index),
      contributors: entries.map((e) => e.contributor),
      rows,
      set,
      graph: byGraph ? new GraphScorer(scoring.graph, rows, info.dim, info.k) : undefined,
    }
  }

  /**
   * A Datanet's accepted contributions up to `p.count`. A cached prefix is reused (and extended)
   * only if the version it was read for still has the same root in this state.
   */
  async #prefix(datanets: Store, p: CitedPrefix, dim: number): Promise<DatanetPrefixCache> {
    let cached = this.#prefixes.get(p.datanetId)
    if (cached !== undefined) {
      const v = await D.readVersion(datanets, p.datanetId, cached.version)
      if (v === undefined || !equalsBytes(v.root, cached.root) || cached.dim !== dim) cached = undefined
    }
    cached ??= (await this.#stored(p, dim)) ?? { version: p.version, root: p.root, dim, ids: [], contributors: [], sketches: [] }
    const have = BigInt(cached.ids.length)
    if (have < p.count) {
      // in chunks whose reads overlap: a cold prefix is mostly disk reads of trie nodes
      for (let from = have; from < p.count; from += READ_CHUNK) {
        const n = p.count - from < READ_CHUNK ? p.count - from : READ_CHUNK
        const ids = await D.acceptedIds(datanets, p.datanetId, from, n)
        const read = await Promise.all(ids.map((id) => D.contributionSketch(datanets, id, dim)))
        read.forEach((c, i) => {
          cached.ids.push(ids[i])
          cached.contributors.push(c.contributor.bytes)
          cached.sketches.push(new Int8Array(c.sketch.buffer, c.sketch.byteOffset, dim))
        })
      }
      cached.version = p.version
      cached.root = p.root
      await this.#store(p, cached)
    }
    this.#prefixes.set(p.datanetId, cached)
    return cached
  }

  /** The prefix as a previous run read it: valid only for exactly this version root and count. */
  async #stored(p: CitedPrefix, dim: number): Promise<DatanetPrefixCache | undefined> {
    const raw = await this.#prefixStore?.get(prefixKey(p, dim))
    if (raw === undefined) return undefined
    const n = Number(p.count)
    const row = 8 + 20 + dim
    if (raw.length !== n * row) return undefined
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    const out: DatanetPrefixCache = { version: p.version, root: p.root, dim, ids: [], contributors: [], sketches: [] }
    for (let i = 0; i < n; i++) {
      const o = i * row
      out.ids.push(view.getBigUint64(o))
      out.contributors.push(raw.subarray(o + 8, o + 28))
      out.sketches.push(new Int8Array(raw.buffer, raw.byteOffset + o + 28, dim))
    }
    return out
  }

  async #store(p: CitedPrefix, c: DatanetPrefixCache): Promise<void> {
    if (this.#prefixStore === undefined) return
    const row = 8 + 20 + c.dim
    const raw = new Uint8Array(c.ids.length * row)
    const view = new DataView(raw.buffer)
    c.ids.forEach((id, i) => {
      view.setBigUint64(i * row, id)
      raw.set(c.contributors[i], i * row + 8)
      raw.set(new Uint8Array(c.sketches[i].buffer, c.sketches[i].byteOffset, c.dim), i * row + 28)
    })
    await this.#prefixStore.put(prefixKey(p, c.dim), raw)
  }

  #evict(): void {
    const max = this.#opts.maxSets ?? 8
    while (this.#sets.size > max) {
      const [oldest, set] = this.#sets.entries().next().value as [string, Promise<Candidates>]
      this.#sets.delete(oldest)
      void set.then((c) => c.set?.release()).catch(() => undefined)
    }
  }

  async close(): Promise<void> {
    for (const set of this.#sets.values()) await set.then((c) => c.set?.release()).catch(() => undefined)
    this.#sets.clear()
  }
}

function prefixKey(p: CitedPrefix, dim: number): Uint8Array {
  return keccak_256(new TextEncoder().encode(`opal.attribution.prefix.v1|${p.datanetId}|${p.version}|${p.count}|${dim}|${hexKey(p.root)}`))
}

function setKey(info: ModelInfo, mode: ScoringMode): string {
  const graph = info.scoring.by === 'default' ? 'default' : hex(info.scoringGraphId)
  const parts = [info.dim, info.k, mode, graph, ...info.prefixes.map((p) => `${p.datanetId}:${p.count}:${hexKey(p.root)}:${[...(info.flagged.get(p.datanetId) ?? [])].join(',')}`)]
  return hexKey(keccak_256(new TextEncoder().encode(parts.join('|'))))
}
