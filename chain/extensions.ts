// What the chain needs from native precompiles, without knowing which ones exist.
import type { CustomPrecompile, EVM } from '@ethereumjs/evm'
import { noArtifacts } from '../precompiles/artifacts.ts'
import type { BlockArtifacts } from '../precompiles/artifacts.ts'

export interface GenesisAllocEntry {
  address: Uint8Array
  nonce: bigint
  balance: bigint
  code: Uint8Array
  storage: Array<[Uint8Array, Uint8Array]>
}

export interface EvmExtensions {
  customPrecompiles: CustomPrecompile[]
  /** called once for every EVM the chain creates (block production, import, calls) */
  attach(evm: EVM): void
  /** accounts (with storage) the extensions need at genesis, given the genesis timestamp */
  genesisAlloc(timestamp: bigint): Promise<GenesisAllocEntry[]>
  /** around a block's execution: the records it produces beside the state, kept per transaction */
  beginBlock(evm: EVM): void
  beginTx(evm: EVM, index: number): void
  endTx(evm: EVM, succeeded: boolean): void
  finishBlock(evm: EVM): BlockArtifacts
  abortBlock(evm: EVM): void
}

export const NO_EXTENSIONS: EvmExtensions = {
  customPrecompiles: [],
  attach: () => {},
  genesisAlloc: async () => [],
  beginBlock: () => {},
  beginTx: () => {},
  endTx: () => {},
  finishBlock: noArtifacts,
  abortBlock: () => {},
}
