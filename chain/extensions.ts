// What the chain needs from native precompiles, without knowing which ones exist.
import type { CustomPrecompile, EVM } from '@ethereumjs/evm'

export interface GenesisAllocEntry {
  address: Uint8Array
  nonce: bigint
  code: Uint8Array
  storage: Array<[Uint8Array, Uint8Array]>
}

export interface EvmExtensions {
  customPrecompiles: CustomPrecompile[]
  /** called once for every EVM the chain creates (block production, import, calls) */
  attach(evm: EVM): void
  /** accounts (with storage) the extensions need at genesis, given the genesis timestamp */
  genesisAlloc(timestamp: bigint): Promise<GenesisAllocEntry[]>
}

export const NO_EXTENSIONS: EvmExtensions = {
  customPrecompiles: [],
  attach: () => {},
  genesisAlloc: async () => [],
}
