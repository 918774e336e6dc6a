// Per-contribution attribution statistics: what each contribution earned and the counters at which
// it last earned, kept as an index beside the chain (like the transaction index), not in the state.
//
// Why not in the state: a settled receipt pays up to k (32) contributions, nearly all different
// from the other receipts of its block, so these counters were ~27 fresh storage slots per receipt:
// trie writes that cost more than everything else settlement does together. They decide nothing
// on chain (money is in the claimable balances, which stay in the state); they feed
// opal_getContributionStats. Every node derives the same rows from the blocks it executes.
//
//   commit: a block's earnings ─► rows (earned added, last-earn counters replaced) ─► written in the
//   block's own batch, with the block's changeset (each changed row as it was before)
//   rewind: changesets from the head down ─► rows as they were ─► changesets dropped
//
// Changesets are kept for `history` blocks (all, for development chains that rewind); older ones
// are deleted in the batch of the block that makes them too old.
import { Bucket, MetaKey, key, metaKey } from './buckets.ts'
import type { BatchOp } from './blockStore.ts'
import type { Level } from './level.ts'
import { concat, readU64, u64 } from '../util/bytes.ts'
import type { ContributionEarning } from '../../precompiles/artifacts.ts'
import type { ContributionCounters } from '../../precompiles/receipts/stats.ts'
import { ChainError } from '../errors.ts'

const ZERO: ContributionCounters = { earned: 0n, candidateAtLastEarn: 0n, datanetEarningAtLastEarn: 0n }
const M64 = (1n << 64n) - 1n
const M128 = (1n << 128n) - 1n
/** a row: earned u128 ‖ candidateAtLastEarn u64 ‖ datanetEarningAtLastEarn u64 */
const ROW = 32
/** a changeset entry: contribution id u64 ‖ the row before the block */
const ENTRY = 8 + ROW

function encodeRow(c: ContributionCounters): Uint8Array {
  const out = new Uint8Array(ROW)
  const v = new DataView(out.buffer)
  // a contribution cannot earn 2^128 wei (the supply is far below): the cap only keeps the row's size
  const earned = c.earned > M128 ? M128 : c.earned
  v.setBigUint64(0, earned >> 64n)
  v.setBigUint64(8, earned & M64)
  v.setBigUint64(16, c.candidateAtLastEarn & M64)
  v.setBigUint64(24, c.datanetEarningAtLastEarn & M64)
  return out
}

function decodeRow(b: Uint8Array, o = 0): ContributionCounters {
  return { earned: (readU64(b, o) << 64n) | readU64(b, o + 8), candidateAtLastEarn: readU64(b, o + 16), datanetEarningAtLastEarn: readU64(b, o + 24) }
}

const isZero = (c: ContributionCounters) => c.earned === 0n && c.candidateAtLastEarn === 0n && c.datanetEarningAtLastEarn === 0n
const rowKey = (id: bigint) => key(Bucket.contributionStats, u64(id))
const undoKey = (block: bigint) => key(Bucket.contributionStatsUndo, u64(block))

/** A change the caller commits in its own batch, then makes visible. */
export interface StatsChange {
  ops: BatchOp[]
  /** call once the batch is written */
  apply(): void
}

export class ContributionStatsIndex {
  readonly #db: Level
  /** blocks whose changesets are kept; undefined: all */
  readonly #history: bigint | undefined
  /** every row, in memory: a block changes tens of thousands, and each change needs the row before it */
  readonly #rows = new Map<bigint, ContributionCounters>()
  #undoFrom = 0n

  private constructor(db: Level, history: bigint | undefined) {
    this.#db = db
    this.#history = history
  }

  static async open(db: Level, history: bigint | undefined): Promise<ContributionStatsIndex> {
    const index = new ContributionStatsIndex(db, history)
    for await (const [k, v] of db.iterator({ gte: Uint8Array.of(Bucket.contributionStats), lt: Uint8Array.of(Bucket.contributionStats + 1) })) {
      index.#rows.set(readU64(k, 1), decodeRow(v))
    }
    const from = await db.get(metaKey(MetaKey.statsUndoFrom))
    index.#undoFrom = from === undefined ? 0n : readU64(from)
    return index
  }

  /** A contribution's counters (all zero if it never earned). */
  get(id: bigint): ContributionCounters {
    return this.#rows.get(id) ?? ZERO
  }

  /** Rows a block's earnings change, its changeset, and the changeset that becomes too old. */
  commit(block: bigint, earnings: readonly ContributionEarning[]): StatsChange {
    const next = new Map<bigint, ContributionCounters>()
    const before: Uint8Array[] = []
    for (const e of earnings) {
      if (e.contributionId > M64) throw new ChainError('CORRUPT', `contribution id ${e.contributionId} does not fit the statistics index`)
      let row = next.get(e.contributionId)
      if (row === undefined) {
        const old = this.get(e.contributionId)
        before.push(concat(u64(e.contributionId), encodeRow(old)))
        row = { ...old }
        next.set(e.contributionId, row)
      }
      row.earned += e.earned
      row.candidateAtLastEarn = e.candidateAtLastEarn
      row.datanetEarningAtLastEarn = e.datanetEarningAtLastEarn
    }
    const ops: BatchOp[] = []
    for (const [id, row] of next) ops.push({ type: 'put', key: rowKey(id), value: encodeRow(row) })
    if (before.length > 0) ops.push({ type: 'put', key: undoKey(block), value: concat(...before) })
    // the window: changesets of the last `history` blocks; each commit drops the one that left it
    let undoFrom = this.#undoFrom
    const from = this.#history === undefined ? 0n : block - this.#history + 1n
    if (from > undoFrom) {
      ops.push({ type: 'del', key: undoKey(from - 1n) })
      ops.push({ type: 'put', key: metaKey(MetaKey.statsUndoFrom), value: u64(from) })
      undoFrom = from
    }
    return {
      ops,
      apply: () => {
        for (const [id, row] of next) this.#rows.set(id, row)
        this.#undoFrom = undoFrom
      },
    }
  }

  /** The rows as they were at block `to`, from the changesets of the blocks after it up to `head`. */
  async rewind(head: bigint, to: bigint): Promise<StatsChange> {
    if (to + 1n < this.#undoFrom) {
      throw new ChainError('STATE_UNAVAILABLE', `cannot rewind to ${to}: contribution statistics keep the changes of blocks from ${this.#undoFrom} on`)
    }
    const restored = new Map<bigint, ContributionCounters>()
    const ops: BatchOp[] = []
    // from the head down, so the row a contribution ends with is the one before its earliest change
    for (let n = head; n > to; n--) {
      const raw = await this.#db.get(undoKey(n))
      if (raw === undefined) continue
      for (let o = 0; o + ENTRY <= raw.length; o += ENTRY) restored.set(readU64(raw, o), decodeRow(raw, o + 8))
      ops.push({ type: 'del', key: undoKey(n) })
    }
    for (const [id, row] of restored) ops.push(isZero(row) ? { type: 'del', key: rowKey(id) } : { type: 'put', key: rowKey(id), value: encodeRow(row) })
    return {
      ops,
      apply: () => {
        for (const [id, row] of restored) {
          if (isZero(row)) this.#rows.delete(id)
          else this.#rows.set(id, row)
        }
      },
    }
  }
}
