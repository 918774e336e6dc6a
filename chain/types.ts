// Records the chain keeps per block, in the shapes readers need.
import type { Block, BlockHeader } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import type { BlockArtifacts } from '../precompiles/artifacts.ts'

export interface StoredLog {
  address: Uint8Array
  topics: Uint8Array[]
  data: Uint8Array
}

export interface StoredReceipt {
  /** EIP-2718 transaction type */
  type: number
  status: 0 | 1
  cumulativeGasUsed: bigint
  logs: StoredLog[]
}

/** A block as executed: what the store commits in one batch. */
export interface ExecutedBlock {
  block: Block
  receipts: StoredReceipt[]
  /** 20-byte sender of each transaction, in order */
  senders: Uint8Array[]
  /** sequencer signature over the block (65 bytes), when known */
  signature?: Uint8Array
  /** settlement outcomes and graph bytes the block's execution produced */
  artifacts?: BlockArtifacts
}

/** Where a transaction sits in the canonical chain. */
export interface TxLocation {
  blockNumber: bigint
  blockHash: Uint8Array
  index: number
}

export interface TxWithContext extends TxLocation {
  tx: TypedTransaction
  sender: Uint8Array
  header: BlockHeader
}

export type BlockTag = 'latest' | 'earliest' | 'pending' | 'safe' | 'finalized'
export type BlockSelector = BlockTag | bigint | { hash: Uint8Array; requireCanonical?: boolean }
