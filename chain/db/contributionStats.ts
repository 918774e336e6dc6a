// Per-contribution attribution statistics: what each contribution earned and the counters at which
// it last earned, kept as an index beside the chain (like the transaction index), not in the state.
//
// Why not in the state: a settled receipt pays up to k (32) contributions, nearly all different
// from the other receipts of its block, so these counters were ~27 fresh storage slots per receipt:
// trie writes that cost more than everything else settlement does together. They decide nothing
// on chain (money is in the claimable balances, which stay in the state); they feed
// opal_getContributionStats. Every node derives the same rows from the blocks it executes.
//
//   commit: a block's earnings ─► rows in memory ─► the block's changes as one record (its log),
//   written in the block's own batch; every CHECKPOINT blocks the rows changed since the last
//   checkpoint are written too
//   open: rows of the checkpoint ─► logs of the blocks after it, replayed
//   rewind: rows of the checkpoint (or nothing) ─► logs up to the target, replayed
//
// Rows are written in bulk at checkpoints, not every block: a busy block changes tens of
// thousands, and one log record a block is a single write. A checkpoint drops the logs it took in,
// unless every log is kept (development chains, which rewind to any block: a rewind before the
// checkpoint replays the logs from the first block).
import { Bucket, MetaKey, key, metaKey } from './buckets.ts'
import type { BatchOp } from './blockStore.ts'
import type { Level } from './level.ts'
import { readU64, u64 } from '../util/bytes.ts'
import type { ContributionEarning } from '../../precompiles/artifacts.ts'
import type { ContributionCounters } from '../../precompiles/receipts/stats.ts'
import { ChainError } from '../errors.ts'

const ZERO: ContributionCounters = { earned: 0n, candidateAtLastEarn: 0n, datanetEarningAtLastEarn: 0n }
const M64 = (1n << 64n) - 1n
const M128 = (1n << 128n) - 1n
/** a row: earned u128 ‖ candidateAtLastEarn u64 ‖ datanetEarningAtLastEarn u64 */
const ROW = 32
/** a log entry: contribution id u64 ‖ wei earned in the block u128 ‖ the two counters after it */
const ENTRY = 8 + ROW
/** blocks between checkpoints: how many logs a restart replays at most */
const CHECKPOINT = 128n

function writeRow(v: DataView, o: number, earned: bigint, candidate: bigint, peer: bigint): void {
  // a contribution cannot earn 2^128 wei (the supply is far below): the cap only keeps the row's
  // size. Comparing first spares the shifts and masks (a bigint each) for the usual small values.
  const e = earned > M128 ? M128 : earned
  v.setBigUint64(o, e > M64 ? e >> 64n : 0n)
  v.setBigUint64(o + 8, e > M64 ? e & M64 : e)
  v.setBigUint64(o + 16, candidate > M64 ? candidate & M64 : candidate)
  v.setBigUint64(o + 24, peer > M64 ? peer & M64 : peer)
}

/** A log entry at `o`: the contribution id (below 2^53: two 32-bit halves, no bigint), then its row. */
function writeEntry(v: DataView, o: number, id: number, earned: bigint, candidate: bigint, peer: bigint): void {
  v.setUint32(o, Math.floor(id / 2 ** 32))
  v.setUint32(o + 4, id >>> 0)
  writeRow(v, o + 8, earned, candidate, peer)
}

function readRow(v: DataView, o: number): ContributionCounters {
  return { earned: (v.getBigUint64(o) << 64n) | v.getBigUint64(o + 8), candidateAtLastEarn: v.getBigUint64(o + 16), datanetEarningAtLastEarn: v.getBigUint64(o + 24) }
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength)
const rowKey = (id: number) => key(Bucket.contributionStats, u64(BigInt(id)))
const logKey = (block: bigint) => key(Bucket.contributionStatsLog, u64(block))

/** A change the caller commits in its own batch, then makes visible. */
export interface StatsChange {
  ops: BatchOp[]
  /** call once the batch is written */
  apply(): void
}

type Rows = Map<number, ContributionCounters>

export class ContributionStatsIndex {
  readonly #db: Level
  /** keep every block's log (for rewinds before the checkpoint), or drop them at checkpoints */
  readonly #keepLogs: boolean
  /** the first block whose log is kept (1: all of them) */
  #logsFrom = 1n
  /** every row, in memory, keyed by id as a number (ids are counters: far below 2^53) */
  #rows: Rows = new Map()
  /** ids changed since the checkpoint */
  #dirty = new Set<number>()
  #checkpoint = 0n

  private constructor(db: Level, keepLogs: boolean) {
    this.#db = db
    this.#keepLogs = keepLogs
  }

  /** The index as of `head`: the checkpoint's rows and the logs after it. */
  static async open(db: Level, head: bigint, keepLogs: boolean): Promise<ContributionStatsIndex> {
    const index = new ContributionStatsIndex(db, keepLogs)
    const at = await db.get(metaKey(MetaKey.statsCheckpoint))
    index.#checkpoint = at === undefined ? 0n : readU64(at)
    const from = await db.get(metaKey(MetaKey.statsLogsFrom))
    index.#logsFrom = from === undefined ? 1n : readU64(from)
    index.#rows = await index.#readRows()
    await index.#replay(index.#rows, index.#checkpoint + 1n, head, index.#dirty)
    return index
  }

  /** A contribution's counters (all zero if it never earned). */
  get(id: bigint): ContributionCounters {
    return this.#rows.get(Number(id)) ?? ZERO
  }

  /** A block's earnings: its log record, and the rows changed since the checkpoint when one is due. */
  commit(block: bigint, earnings: readonly ContributionEarning[]): StatsChange {
    const next: Rows = new Map()
    // the log entries are written as the rows are made: a contribution is usually paid once a
    // block (a batch's earnings are one per contribution); only when a second batch of the block
    // pays it again are the entries made afresh from the rows
    const entries = new Uint8Array(earnings.length * ENTRY)
    const v = view(entries)
    let o = 0
    let repeated = false
    for (const e of earnings) {
      const id = Number(e.contributionId)
      if (!Number.isSafeInteger(id)) throw new ChainError('CORRUPT', `contribution id ${e.contributionId} does not fit the statistics index`)
      const again = next.get(id)
      if (again !== undefined) {
        repeated = true
        again.earned += e.earned
        again.candidateAtLastEarn = e.candidateAtLastEarn
        again.datanetEarningAtLastEarn = e.datanetEarningAtLastEarn
        continue
      }
      next.set(id, { earned: (this.#rows.get(id)?.earned ?? 0n) + e.earned, candidateAtLastEarn: e.candidateAtLastEarn, datanetEarningAtLastEarn: e.datanetEarningAtLastEarn })
      writeEntry(v, o, id, e.earned, e.candidateAtLastEarn, e.datanetEarningAtLastEarn)
      o += ENTRY
    }
    const ops: BatchOp[] = []
    const checkpoint = block - this.#checkpoint >= CHECKPOINT
    const prune = checkpoint && !this.#keepLogs
    if (next.size > 0 && !prune) ops.push({ type: 'put', key: logKey(block), value: repeated ? this.#log(next) : entries.subarray(0, o) })
    if (checkpoint) {
      for (const id of this.#dirty) if (!next.has(id)) ops.push(this.#rowOp(id, this.#rows.get(id) ?? ZERO))
      for (const [id, row] of next) ops.push(this.#rowOp(id, row))
      ops.push({ type: 'put', key: metaKey(MetaKey.statsCheckpoint), value: u64(block) })
    }
    if (prune) {
      // the rows now hold what the logs since the last checkpoint said
      for (let n = this.#checkpoint + 1n; n < block; n++) ops.push({ type: 'del', key: logKey(n) })
      ops.push({ type: 'put', key: metaKey(MetaKey.statsLogsFrom), value: u64(block + 1n) })
    }
    return {
      ops,
      apply: () => {
        for (const [id, row] of next) this.#rows.set(id, row)
        if (checkpoint) {
          this.#dirty.clear()
          this.#checkpoint = block
        } else {
          for (const id of next.keys()) this.#dirty.add(id)
        }
        if (prune) this.#logsFrom = block + 1n
      },
    }
  }

  /**
   * The rows as they were at block `to`: the checkpoint's rows and the logs up to `to`, or, for a
   * target before the checkpoint, every log from the first block (kept only with unlimited history).
   */
  async rewind(head: bigint, to: bigint): Promise<StatsChange> {
    const fromScratch = to < this.#checkpoint
    if (fromScratch && this.#logsFrom > 1n) {
      throw new ChainError('STATE_UNAVAILABLE', `cannot rewind to ${to}: contribution statistics can be rebuilt from block ${this.#checkpoint} on (a development chain keeps what is needed for any block)`)
    }
    const rows: Rows = fromScratch ? new Map() : await this.#readRows()
    const dirty = new Set<number>()
    await this.#replay(rows, fromScratch ? 1n : this.#checkpoint + 1n, to, dirty)
    const ops: BatchOp[] = []
    for await (const k of this.#db.keys({ gte: logKey(to + 1n), lte: logKey(head) })) ops.push({ type: 'del', key: k })
    if (fromScratch) {
      // the rows on disk become those at `to`, its new checkpoint
      for await (const k of this.#db.keys(this.#bucket())) ops.push({ type: 'del', key: k })
      for (const [id, row] of rows) ops.push(this.#rowOp(id, row))
      ops.push({ type: 'put', key: metaKey(MetaKey.statsCheckpoint), value: u64(to) })
    }
    return {
      ops,
      apply: () => {
        this.#rows = rows
        this.#dirty = fromScratch ? new Set() : dirty
        if (fromScratch) this.#checkpoint = to
      },
    }
  }

  #bucket() {
    return { gte: Uint8Array.of(Bucket.contributionStats), lt: Uint8Array.of(Bucket.contributionStats + 1) }
  }

  async #readRows(): Promise<Rows> {
    const rows: Rows = new Map()
    for await (const [k, v] of this.#db.iterator(this.#bucket())) rows.set(Number(readU64(k, 1)), readRow(view(v), 0))
    return rows
  }

  /** Applies the logs of blocks `from`..`to` to `rows`: one range read, only blocks that had earnings have a log. */
  async #replay(rows: Rows, from: bigint, to: bigint, dirty: Set<number>): Promise<void> {
    if (from > to) return
    for await (const raw of this.#db.values({ gte: logKey(from), lte: logKey(to) })) {
      const v = view(raw)
      for (let o = 0; o + ENTRY <= raw.length; o += ENTRY) {
        const id = Number(v.getBigUint64(o))
        const change = readRow(v, o + 8)
        const row = rows.get(id) ?? ZERO
        rows.set(id, { ...change, earned: row.earned + change.earned })
        dirty.add(id)
      }
    }
  }

  /** A block's log record: per contribution, what it earned in the block and its counters after it. */
  #log(next: Rows): Uint8Array {
    const out = new Uint8Array(next.size * ENTRY)
    const v = view(out)
    let o = 0
    for (const [id, row] of next) {
      writeEntry(v, o, id, row.earned - (this.#rows.get(id)?.earned ?? 0n), row.candidateAtLastEarn, row.datanetEarningAtLastEarn)
      o += ENTRY
    }
    return out
  }

  #rowOp(id: number, row: ContributionCounters): BatchOp {
    const value = new Uint8Array(ROW)
    writeRow(view(value), 0, row.earned, row.candidateAtLastEarn, row.datanetEarningAtLastEarn)
    return { type: 'put', key: rowKey(id), value }
  }
}
