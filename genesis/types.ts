// The genesis of an opal chain, as the rest of the node sees it once loaded and validated.
// The JSON file format (strings for big numbers, 0x hex for bytes) is documented in README.md.

export type Hex = `0x${string}`

export interface GenesisAccount {
  balance: bigint
  nonce: bigint
  code: Uint8Array
  /** storage slot (32-byte 0x hex) → value (32-byte 0x hex) */
  storage: Map<Hex, Hex>
}

export interface NativeToken {
  name: string
  symbol: string
  decimals: number
}

export interface Genesis {
  chainId: bigint
  /** seconds between blocks; 0 mines one block per transaction as it arrives */
  blockTime: number
  /** build blocks even when the pool is empty */
  emptyBlocks: boolean
  gasLimit: bigint
  baseFeePerGas: bigint
  timestamp: bigint
  extraData: Uint8Array
  /** address whose key signs blocks; receives priority fees unless feeRecipient is set */
  sequencer: Hex
  feeRecipient: Hex
  token: NativeToken
  /** lowercase address → account */
  alloc: Map<Hex, GenesisAccount>
  /** validator addresses that attest state roots, and how many make a block safe */
  validators: Hex[]
  validatorQuorum: number
  /** raw "precompiles" section, interpreted by the precompiles package */
  precompiles: unknown
}
