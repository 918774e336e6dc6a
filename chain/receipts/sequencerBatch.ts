// The settlement batch the sequencer is executing, with what its receipt pool already knew of each
// receipt (decoded, digest, signer, replay slot): the Receipts precompile takes it instead of
// decoding the batch, digesting every receipt, looking up every signer and hashing every replay
// slot again. Only the exact bytes the
// sequencer built match; any other batch (a follower's block, an eth_call) is checked from scratch.
import type { CheckedBatch, CheckedBatches } from '../../precompiles/index.ts'
import type { PendingReceipt } from './pool.ts'

export class SequencerBatch implements CheckedBatches {
  #held: { bytes: Uint8Array; batch: CheckedBatch } | undefined

  /** The batch about to execute: `bytes` is joinReceiptBatch of the receipts' raws, in order. */
  hold(bytes: Uint8Array, receipts: readonly PendingReceipt[]): void {
    this.#held = {
      bytes,
      batch: {
        receipts: receipts.map((p) => p.receipt),
        digests: receipts.map((p) => p.hash),
        signers: receipts.map((p) => p.signer),
        replaySlots: receipts.map((p) => p.replay),
      },
    }
  }

  release(): void {
    this.#held = undefined
  }

  lookup(batch: Uint8Array): CheckedBatch | undefined {
    const held = this.#held
    // a MiB-sized compare is ~0.1 ms, against ~15 µs a receipt to check the batch again
    if (held === undefined || held.bytes.length !== batch.length || Buffer.compare(held.bytes, batch) !== 0) return undefined
    return held.batch
  }
}
