// What the JSON-RPC server needs from the node. node/ implements it; methods see nothing else.
import type { Chain, TxPool, TxPoolError } from '../chain/index.ts'
import type { CallExecutor } from '../chain/call.ts'
import type { LogQuery } from '../chain/logs.ts'
import type { EncodedReceipt } from '../precompiles/receipts/format.ts'
import type { ReceiptStatus } from '../chain/receipts/pool.ts'

export interface SyncStatus {
  startingBlock: bigint
  currentBlock: bigint
  highestBlock: bigint
}

export interface NetworkStatus {
  listening: boolean
  peerCount: number
}

export interface DevAccountKey {
  address: Uint8Array
  privateKey: Uint8Array
}

/** Development-only controls (`--dev`): mining on demand, snapshots and direct state edits. */
export interface DevControls {
  mine(opts: { timestamp?: bigint }): Promise<void>
  snapshot(): Promise<bigint>
  revert(id: bigint): Promise<boolean>
  editState(edit: StateEdit): Promise<void>
  setNextTimestamp(ts: bigint): void
  setAutomine(on: boolean): void
  automine(): boolean
}

export type StateEdit =
  | { kind: 'balance'; address: Uint8Array; value: bigint }
  | { kind: 'nonce'; address: Uint8Array; value: bigint }
  | { kind: 'code'; address: Uint8Array; value: Uint8Array }
  | { kind: 'storage'; address: Uint8Array; slot: Uint8Array; value: Uint8Array }

/** Inference receipts: checked and held by the receipt pool until a block settles them. */
export interface ReceiptService {
  domain(): { name: string; version: string; chainId: bigint; verifyingContract: Uint8Array }
  /** one answer per receipt, in order; accepted ones are on disk (and on their way to the sequencer) */
  submit(receipts: EncodedReceipt[]): Promise<Array<{ hash: Uint8Array } | { reason: string }>>
  status(hash: Uint8Array): Promise<ReceiptStatus | null>
  /** receipts waiting for settlement */
  pendingCount(): number
}

export interface RpcBackend {
  readonly chain: Chain
  readonly pool: TxPool
  readonly calls: CallExecutor
  readonly logs: LogQuery
  readonly clientVersion: string
  /** into the local pool (sequencer) or forwarded to the sequencer (follower) */
  submitTransactions(raws: Uint8Array[]): Promise<Array<Uint8Array | TxPoolError>>
  network(): NetworkStatus
  syncStatus(): SyncStatus | false
  /** keys `eth_accounts` lists and signs with (dev mode) */
  readonly signers: DevAccountKey[]
  readonly dev?: DevControls
  readonly receipts?: ReceiptService
}
