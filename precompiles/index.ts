// opal's native precompiles, as the chain sees them: the functions to register with the EVM, the
// hook that gives them their call context, and the accounts they need at genesis.
import type { CustomPrecompile, EVM, PrecompileFunc } from '@ethereumjs/evm'
import { createAddressFromString } from '@ethereumjs/util'
import type { Address } from '@ethereumjs/util'
import { createAdapterRegistry } from './adapterRegistry.ts'
import { beginBlockArtifacts, beginTxArtifacts, discardBlockArtifacts, endTxArtifacts, finishBlockArtifacts } from './artifacts.ts'
import type { BlockArtifacts } from './artifacts.ts'
import type { AttributionEngine } from './attribution/engine.ts'
import { createAttribution } from './attributionScoring.ts'
import { createDatanetRegistry } from './datanetRegistry.ts'
import { trackFrames } from './framework/context.ts'
import { Store } from './framework/storage.ts'
import { createInferenceNodes } from './inferenceNodes.ts'
import { createModelRegistry } from './modelRegistry.ts'
import { createReceipts } from './receiptSettlement.ts'
import type { CheckedBatches, SignatureService } from './receipts/settle.ts'
import { seedRegistries } from './seed.ts'
import { PRECOMPILE_NAMES } from './settings.ts'
import type { PrecompileName, PrecompileSettings } from './settings.ts'

export { defaultPrecompileSettings, parsePrecompileSettings, PrecompileSettingsError, DEFAULT_ADDRESSES, PRECOMPILE_NAMES } from './settings.ts'
export type { PrecompileSettings, PrecompileName, InitialDatanet, InitialModel, InitialAdapter, InitialServer, InitialEscrow } from './settings.ts'
export type { BlockArtifacts } from './artifacts.ts'
export type { CheckedBatch, CheckedBatches, SignatureService } from './receipts/settle.ts'
export { AttributionEngine } from './attribution/engine.ts'
export type { KernelSetting, ModelInfo, ScoringMode, Scoring } from './attribution/engine.ts'
export { RegistryReader } from './readers.ts'
export { DATANET_ABI } from './datanetRegistry.ts'
export { MODEL_ABI } from './modelRegistry.ts'
export { ADAPTER_ABI } from './adapterRegistry.ts'
export { INFERENCE_NODES_ABI } from './inferenceNodes.ts'
export { RECEIPTS_ABI } from './receiptSettlement.ts'
export { ATTRIBUTION_ABI } from './attributionScoring.ts'
export { Revert } from './framework/revert.ts'
export { GAS, LSH_INDEXED_GAS } from './framework/gas.ts'

export interface GenesisAccount {
  address: Uint8Array
  nonce: bigint
  /** OPEN the precompile holds at genesis (seeded stakes and escrow) */
  balance: bigint
  code: Uint8Array
  storage: Array<[Uint8Array, Uint8Array]>
}

/** What the precompiles need from the node that runs them. */
export interface PrecompileServices {
  chainId: bigint
  engine: AttributionEngine
  signatures: SignatureService
  keccak: (b: Uint8Array) => Uint8Array
  /** the sequencer's own settlement batches, already checked by its receipt pool */
  checked?: CheckedBatches
  /** the built-in scoring graph: its keccak256 and size, registered at genesis */
  defaultGraph: { id: Uint8Array; size: number }
}

export interface OpalPrecompiles {
  settings: PrecompileSettings
  customPrecompiles: CustomPrecompile[]
  /** gives the precompiles their caller, value and static-call context on this EVM */
  attach(evm: EVM): void
  /** collects what a block's execution records beside the state (settlement outcomes, graph bytes) */
  beginBlock(evm: EVM): void
  beginTx(evm: EVM, index: number): void
  endTx(evm: EVM, succeeded: boolean): void
  finishBlock(evm: EVM): BlockArtifacts
  abortBlock(evm: EVM): void
  /** accounts that must exist at genesis: nonce 1 and code 0xfe, so they are never "empty"
   *  (EIP-161 would delete them with their storage) and Solidity's extcodesize check passes */
  genesisAlloc(timestamp: bigint): Promise<GenesisAccount[]>
}

const MARKER_CODE = Uint8Array.of(0xfe)

export function createOpalPrecompiles(settings: PrecompileSettings, services: PrecompileServices): OpalPrecompiles {
  const toAddress = (a: `0x${string}`): Address => createAddressFromString(a)
  const settlement = { engine: services.engine, signatures: services.signatures, keccak: services.keccak, checked: services.checked }
  const functions: Record<PrecompileName, PrecompileFunc> = {
    datanets: createDatanetRegistry(settings, toAddress) as PrecompileFunc,
    models: createModelRegistry(settings, toAddress) as PrecompileFunc,
    adapters: createAdapterRegistry(settings, toAddress) as PrecompileFunc,
    servers: createInferenceNodes(settings, toAddress) as PrecompileFunc,
    receipts: createReceipts(settings, settlement, services.chainId, toAddress) as PrecompileFunc,
    attribution: createAttribution(settings, { engine: services.engine, keccak: services.keccak, defaultGraphId: services.defaultGraph.id }) as PrecompileFunc,
  }
  return {
    settings,
    customPrecompiles: PRECOMPILE_NAMES.map((name) => ({ address: settings.addresses[name], function: functions[name] })),
    attach: (evm) => trackFrames(evm),
    beginBlock: beginBlockArtifacts,
    beginTx: beginTxArtifacts,
    endTx: endTxArtifacts,
    finishBlock: finishBlockArtifacts,
    abortBlock: discardBlockArtifacts,
    async genesisAlloc(timestamp) {
      const seeded = await seedRegistries(settings, timestamp, services.defaultGraph.id, BigInt(services.defaultGraph.size))
      // the seeded contributions, read from memory while they are there, not from the state trie later
      const datanets = new Store(seeded.storage, settings.addresses.datanets)
      for (const id of seeded.published) await services.engine.warmPrefix(datanets, id)
      return PRECOMPILE_NAMES.map((name) => ({
        address: settings.addresses[name].bytes,
        nonce: 1n,
        balance: seeded.balances.get(name) ?? 0n,
        code: MARKER_CODE,
        storage: seeded.storage.entries(settings.addresses[name]),
      }))
    },
  }
}
