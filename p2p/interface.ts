// What the network layer needs from the chain, and what it offers the node. The node adapts the
// chain to P2PChain; nothing else of the chain is visible here.
//
//   P2PChain  — head, signed blocks by range and hash (to serve peers), import (re-execution)
//   P2PNetwork — publish blocks / transactions / receipts / attestations, handlers for what
//                arrives, peers and sync status for the RPC

export interface SignedBlock {
  /** standard Ethereum block RLP */
  blockRlp: Uint8Array
  /** the sequencer's 65-byte signature (r ‖ s ‖ recovery id) over the block's signing hash */
  signature: Uint8Array
  number: bigint
  hash: Uint8Array
  parentHash: Uint8Array
  timestamp: bigint
}

export type ImportResult = 'imported' | 'known' | { invalid: string } | { unknownParent: true }

export interface P2PChain {
  readonly chainId: bigint
  head(): { number: bigint; hash: Uint8Array }
  /** consecutive blocks from `from`, as many as exist up to `count` */
  getSignedBlocks(from: bigint, count: number): Promise<SignedBlock[]>
  getSignedBlockByHash(hash: Uint8Array): Promise<SignedBlock | undefined>
  /** re-executes and stores the block; called in order, parent first */
  importBlock(block: SignedBlock): Promise<ImportResult>
  /** why a raw transaction can never be valid on this chain (encoding, type, chain id, signature), or undefined */
  checkTransaction(raw: Uint8Array): string | undefined
}

export interface Attestation {
  validator: Uint8Array
  chainId: bigint
  blockNumber: bigint
  blockHash: Uint8Array
  stateRoot: Uint8Array
  signature: Uint8Array
}

export interface PeerSummary {
  id: string
  addresses: string[]
  direction: 'inbound' | 'outbound'
  score: number
  head?: bigint
}

export interface NodeInfo {
  id: string
  addresses: string[]
  protocols: string[]
}

export interface SyncStatus {
  syncing: boolean
  startingBlock: bigint
  currentBlock: bigint
  highestBlock: bigint
}

export interface P2PNetwork {
  readonly peerId: string
  start(): Promise<void>
  stop(): Promise<void>
  multiaddrs(): string[]
  publishBlock(block: SignedBlock): Promise<void>
  publishTransaction(rawTx: Uint8Array): Promise<void>
  publishReceipts(payload: Uint8Array): Promise<void>
  publishAttestation(attestation: Attestation): Promise<void>
  onTransaction(handler: (rawTx: Uint8Array, from: string) => void): void
  onReceipts(handler: (payload: Uint8Array, from: string) => void): void
  onAttestation(handler: (attestation: Attestation, from: string) => void): void
  peers(): PeerSummary[]
  nodeInfo(): NodeInfo
  syncStatus(): SyncStatus
}
