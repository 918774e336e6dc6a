// A development genesis: the ten standard test accounts funded, a dev sequencer key, 1 s blocks.
import { DEV_SEQUENCER_INDEX, DEV_VALIDATOR_FIRST_INDEX, devAccount, devAccounts } from './devAccounts.ts'
import { devExamplePrecompiles } from './devExample.ts'
import { DEFAULTS } from './opalFormat.ts'
import type { Genesis, GenesisAccount, Hex } from './types.ts'

export const DEV_CHAIN_ID = 31337n
export const DEV_BALANCE = 10_000n * 10n ** 18n

export interface DevGenesisOptions {
  chainId?: bigint
  blockTime?: number
  accounts?: number
  balance?: bigint
  validators?: number
  timestamp?: bigint
  gasLimit?: bigint
  precompiles?: unknown
  /** keccak256 of the default scoring graph, named in the genesis */
  defaultGraph?: string
}

/** OPEN the devnet sequencer holds to pay for the gas of settling receipts. */
export const DEV_SEQUENCER_BALANCE = 1_000n * 10n ** 18n

export function devGenesis(opts: DevGenesisOptions = {}): Genesis {
  const alloc = new Map<Hex, GenesisAccount>()
  for (const acc of devAccounts(opts.accounts ?? 10)) {
    alloc.set(acc.address, { balance: opts.balance ?? DEV_BALANCE, nonce: 0n, code: new Uint8Array(), storage: new Map() })
  }
  const validators = Array.from({ length: opts.validators ?? 0 }, (_, i) => devAccount(DEV_VALIDATOR_FIRST_INDEX + i).address)
  const sequencer = devAccount(DEV_SEQUENCER_INDEX).address
  alloc.set(sequencer, { balance: DEV_SEQUENCER_BALANCE, nonce: 0n, code: new Uint8Array(), storage: new Map() })
  return {
    chainId: opts.chainId ?? DEV_CHAIN_ID,
    blockTime: opts.blockTime ?? DEFAULTS.blockTime,
    emptyBlocks: false,
    gasLimit: opts.gasLimit ?? DEFAULTS.gasLimit,
    baseFeePerGas: DEFAULTS.baseFeePerGas,
    timestamp: opts.timestamp ?? BigInt(Math.floor(Date.now() / 1000)),
    extraData: new TextEncoder().encode('opal devnet'),
    sequencer,
    feeRecipient: sequencer,
    token: { ...DEFAULTS.token },
    alloc,
    validators,
    validatorQuorum: validators.length === 0 ? 0 : Math.floor((validators.length * 2) / 3) + 1,
    precompiles: opts.precompiles ?? devExamplePrecompiles(opts.defaultGraph),
  }
}
