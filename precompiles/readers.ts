// Registry reads for JSON-RPC (opal_ methods): the records of a state view, with named fields,
// unmetered.
import type { Address } from '@ethereumjs/util'
import { Store } from './framework/storage.ts'
import type { StorageAccess } from './framework/storage.ts'
import * as A from './adapters/records.ts'
import * as D from './datanets/records.ts'
import * as M from './models/records.ts'
import type { PrecompileSettings } from './settings.ts'

export class RegistryReader {
  readonly #datanets: Store
  readonly #models: Store
  readonly #adapters: Store

  constructor(settings: PrecompileSettings, state: StorageAccess) {
    this.#datanets = new Store(state, settings.addresses.datanets, undefined, true)
    this.#models = new Store(state, settings.addresses.models, undefined, true)
    this.#adapters = new Store(state, settings.addresses.adapters, undefined, true)
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
}
