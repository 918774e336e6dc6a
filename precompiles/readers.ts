// Registry reads for JSON-RPC (opal_ methods): the records of a state view, with named fields,
// unmetered.
import type { Address } from '@ethereumjs/util'
import { Store } from './framework/storage.ts'
import type { StorageAccess } from './framework/storage.ts'
import * as A from './adapters/records.ts'
import * as D from './datanets/records.ts'
import * as M from './models/records.ts'
import type { AttributionEngine } from './attribution/engine.ts'
import * as T from './attribution/records.ts'
import { contributionStats } from './receipts/stats.ts'
import type { ContributionCounters } from './receipts/stats.ts'
import * as R from './receipts/records.ts'
import * as S from './servers/records.ts'
import type { PrecompileSettings } from './settings.ts'
import { registryStores } from './stores.ts'

export class RegistryReader {
  readonly #datanets: Store
  readonly #models: Store
  readonly #adapters: Store
  readonly #servers: Store
  readonly #receipts: Store
  readonly #attribution: Store

  constructor(settings: PrecompileSettings, state: StorageAccess) {
    const s = registryStores(new Store(state, settings.addresses.datanets, undefined, true), settings)
    this.#datanets = s.datanets
    this.#models = s.models
    this.#adapters = s.adapters
    this.#servers = s.servers
    this.#receipts = s.receipts
    this.#attribution = s.attribution
  }

  datanet = (id: bigint) => D.readDatanet(this.#datanets, id)
  contribution = (id: bigint) => D.readContribution(this.#datanets, id)
  version = (datanet: bigint, n: bigint) => D.readVersion(this.#datanets, datanet, n)
  listDatanets = (cursor: bigint, limit: bigint) => D.listDatanets(this.#datanets, cursor, limit)
  listContributions = (datanet: bigint, cursor: bigint, limit: bigint) => D.listContributions(this.#datanets, datanet, cursor, limit)
  contributionsOf = (a: Address, cursor: bigint, limit: bigint) => D.contributionsOf(this.#datanets, a, cursor, limit)
  datanetExists = (id: bigint) => D.datanetExists(this.#datanets, id)
  model = (id: bigint) => M.readModel(this.#models, id)
  listModels = (cursor: bigint, limit: bigint) => M.listModels(this.#models, cursor, limit)
  adapter = (id: bigint) => A.readAdapter(this.#adapters, id)
  listAdapters = (model: bigint, cursor: bigint, limit: bigint) => A.listAdapters(this.#adapters, model, cursor, limit)
  adapterCount = () => A.adapterCount(this.#adapters)
  server = (signer: Address) => S.readServer(this.#servers, signer)
  listServers = (cursor: bigint, limit: bigint) => S.listServers(this.#servers, cursor, limit)
  escrow = (payer: Address) => R.readEscrow(this.#receipts, payer.bytes)
  claimable = (account: Address) => R.claimable(this.#receipts, account.bytes)
  receiptTotals = () => R.totals(this.#receipts)
  contributionStats = (id: bigint, counters: ContributionCounters) => contributionStats(this.#receipts, this.#datanets, id, counters)
  scoringGraph = (id: Uint8Array) => T.readGraph(this.#attribution, id)

  /** A model's attribution parameters as receipts are scored now. */
  async modelAttribution(engine: AttributionEngine, id: bigint) {
    const info = await engine.modelInfo({ datanets: this.#datanets, models: this.#models, attribution: this.#attribution }, id)
    if (info === undefined) return undefined
    const candidates = engine.candidateCount(info)
    return {
      modelId: id, k: BigInt(info.k), mode: (['auto', 'exact', 'indexed'] as const)[info.configuredMode], effectiveMode: engine.modeOf(info, candidates),
      candidates: BigInt(candidates), dimension: BigInt(info.dim), scoringGraphId: info.scoringGraphId,
      citedPrefixes: info.prefixes.map((p) => ({ datanetId: p.datanetId, version: p.version, count: p.count })),
    }
  }
}
