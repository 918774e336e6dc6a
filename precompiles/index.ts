// opal's native precompiles, as the chain sees them: the functions to register with the EVM, the
// hook that gives them their call context, and the accounts they need at genesis.
import type { CustomPrecompile, EVM, PrecompileFunc } from '@ethereumjs/evm'
import { createAddressFromString } from '@ethereumjs/util'
import type { Address } from '@ethereumjs/util'
import { createAdapterRegistry } from './adapterRegistry.ts'
import { createDatanetRegistry } from './datanetRegistry.ts'
import { trackFrames } from './framework/context.ts'
import { createModelRegistry } from './modelRegistry.ts'
import { seedRegistries } from './seed.ts'
import type { PrecompileName, PrecompileSettings } from './settings.ts'

export { defaultPrecompileSettings, parsePrecompileSettings, PrecompileSettingsError, DEFAULT_ADDRESSES } from './settings.ts'
export type { PrecompileSettings, PrecompileName, InitialDatanet, InitialModel, InitialAdapter } from './settings.ts'
export { RegistryReader } from './readers.ts'
export { DATANET_ABI } from './datanetRegistry.ts'
export { MODEL_ABI } from './modelRegistry.ts'
export { ADAPTER_ABI } from './adapterRegistry.ts'
export { Revert } from './framework/revert.ts'
export { GAS } from './framework/gas.ts'

export interface GenesisAccount {
  address: Uint8Array
  nonce: bigint
  code: Uint8Array
  storage: Array<[Uint8Array, Uint8Array]>
}

export interface OpalPrecompiles {
  settings: PrecompileSettings
  customPrecompiles: CustomPrecompile[]
  /** gives the precompiles their caller, value and static-call context on this EVM */
  attach(evm: EVM): void
  /** accounts that must exist at genesis: nonce 1 and code 0xfe, so they are never "empty"
   *  (EIP-161 would delete them with their storage) and Solidity's extcodesize check passes */
  genesisAlloc(timestamp: bigint): Promise<GenesisAccount[]>
}

const MARKER_CODE = Uint8Array.of(0xfe)

export function createOpalPrecompiles(settings: PrecompileSettings): OpalPrecompiles {
  const toAddress = (a: `0x${string}`): Address => createAddressFromString(a)
  const functions: Record<PrecompileName, PrecompileFunc> = {
    datanets: createDatanetRegistry(settings, toAddress) as PrecompileFunc,
    models: createModelRegistry(settings, toAddress) as PrecompileFunc,
    adapters: createAdapterRegistry(settings, toAddress) as PrecompileFunc,
  }
  return {
    settings,
    customPrecompiles: (Object.keys(functions) as PrecompileName[]).map((name) => ({ address: settings.addresses[name], function: functions[name] })),
    attach: (evm) => trackFrames(evm),
    async genesisAlloc(timestamp) {
      const seeded = await seedRegistries(settings, timestamp)
      return (Object.keys(functions) as PrecompileName[]).map((name) => ({
        address: settings.addresses[name].bytes,
        nonce: 1n,
        code: MARKER_CODE,
        storage: seeded.entries(settings.addresses[name]),
      }))
    },
  }
}
