// The storage of every opal precompile over one state, as the registries' record functions take
// it: what settlement, the receipt pool and RPC reads all start from.
import type { Store } from './framework/storage.ts'
import type { PrecompileName, PrecompileSettings } from './settings.ts'

export type RegistryStores = Record<PrecompileName, Store>

/** Each precompile's storage, read-only, through `base` (metered or not, as `base` is). */
export function registryStores(base: Store, settings: PrecompileSettings): RegistryStores {
  const a = settings.addresses
  return {
    datanets: base.at(a.datanets),
    models: base.at(a.models),
    adapters: base.at(a.adapters),
    servers: base.at(a.servers),
    receipts: base.at(a.receipts),
    attribution: base.at(a.attribution),
  }
}
