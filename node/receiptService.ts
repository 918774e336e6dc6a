// Inference receipts on this node: the receipt pool answers servers; a follower hands what it
// accepted to the sequencer over gossip (and again, while it stays unsettled); the sequencer takes
// what followers hand on into its own pool, where its blocks settle them.
import type { Logger } from 'pino'
import type { PendingReceipt, ReceiptPool } from '../chain/receipts/pool.ts'
import type { OpalNetwork } from '../p2p/index.ts'
import { ReceiptFormatError, decodeReceiptBatchItems, joinReceiptBatch } from '../precompiles/receipts/format.ts'
import type { ReceiptService } from '../rpc/index.ts'

/** largest gossip message of receipts (the topic allows 8 MiB) */
const MAX_GOSSIP_BYTES = 1024 * 1024
/** a follower hands on again what is still pending after this long */
const RESEND_MS = 30_000

export interface ReceiptRole {
  service: ReceiptService
  stop(): void
}

export function startReceipts(pool: ReceiptPool, net: OpalNetwork | undefined, sequencing: boolean, log: Logger): ReceiptRole {
  const forward = (raws: Uint8Array[]) => {
    if (net === undefined || sequencing) return
    for (const chunk of chunks(raws, MAX_GOSSIP_BYTES)) net.publishReceipts(joinReceiptBatch(chunk)).catch((err: Error) => log.debug({ err: err.message }, 'handing receipts on failed'))
  }
  // what a follower accepts goes to the sequencer at once
  const onAdded = (added: PendingReceipt[]) => forward(added.map((p) => p.raw))
  pool.on('added', onAdded)
  pool.on('journalError', (err) => log.warn({ err: err.message }, 'a receipt journal entry could not be deleted; the next restart deletes it'))
  if (net !== undefined && sequencing) {
    net.onReceipts((payload, from) => {
      let receipts
      try {
        // decoded receipts are views of the bytes decoded: they get bytes of their own, not the network's buffer
        receipts = decodeReceiptBatchItems(payload.slice())
      } catch (err) {
        if (err instanceof ReceiptFormatError) return
        throw err
      }
      pool.submit(receipts).then(
        (answers) => {
          const refused = answers.filter((a) => 'reason' in a).length
          if (refused > 0) log.debug({ from, received: receipts.length, refused }, 'receipts handed on by a peer')
        },
        (err: Error) => log.warn({ err: err.message }, 'receipts from a peer could not be checked'),
      )
    })
  }
  const timer = !sequencing && net !== undefined
    ? setInterval(() => {
        const dropped = pool.dropExpired()
        if (dropped > 0) log.warn({ dropped }, 'receipts expired before the sequencer settled them')
        forward(pool.pending().map((p) => p.raw))
      }, RESEND_MS)
    : undefined
  timer?.unref()
  return {
    service: {
      domain: () => pool.domain(),
      submit: (receipts) => pool.submit(receipts),
      status: (hash) => pool.status(hash),
      pendingCount: () => pool.size,
    },
    stop: () => {
      pool.off('added', onAdded)
      if (timer !== undefined) clearInterval(timer)
    },
  }
}

function* chunks(raws: Uint8Array[], maxBytes: number): Generator<Uint8Array[]> {
  let chunk: Uint8Array[] = []
  let size = 0
  for (const r of raws) {
    if (size + r.length > maxBytes && chunk.length > 0) {
      yield chunk
      chunk = []
      size = 0
    }
    chunk.push(r)
    size += r.length
  }
  if (chunk.length > 0) yield chunk
}
