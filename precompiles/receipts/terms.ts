// The records a receipt is checked against — its server, adapter and model — read once per batch
// (settlement) or per head (the receipt pool): a batch touches few of each.
import { Address } from '@ethereumjs/util'
import * as A from '../adapters/records.ts'
import type { AttributionEngine, ModelInfo } from '../attribution/engine.ts'
import * as S from '../servers/records.ts'
import type { RegistryStores } from '../stores.ts'

export class ReceiptTerms {
  readonly stores: RegistryStores
  readonly #engine: AttributionEngine
  readonly #servers = new Map<string, S.ServerTerms>()
  readonly #adapters = new Map<bigint, A.AdapterTerms | undefined>()
  readonly #models = new Map<bigint, ModelInfo | undefined>()

  constructor(stores: RegistryStores, engine: AttributionEngine) {
    this.stores = stores
    this.#engine = engine
  }

  async server(signer: Uint8Array): Promise<S.ServerTerms> {
    const k = Buffer.from(signer).toString('hex')
    let t = this.#servers.get(k)
    if (t === undefined) {
      t = await S.serverTerms(this.stores.servers, new Address(signer))
      this.#servers.set(k, t)
    }
    return t
  }

  async adapter(id: bigint): Promise<A.AdapterTerms | undefined> {
    if (!this.#adapters.has(id)) this.#adapters.set(id, (await A.adapterExists(this.stores.adapters, id)) ? await A.adapterTerms(this.stores.adapters, id) : undefined)
    return this.#adapters.get(id)
  }

  async model(id: bigint): Promise<ModelInfo | undefined> {
    if (!this.#models.has(id)) this.#models.set(id, await this.#engine.modelInfo(this.stores, id))
    return this.#models.get(id)
  }
}
