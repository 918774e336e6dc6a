// When blocks are made. With a block time, one block per tick, aligned to the wall clock; with
// block time 0 ("automine"), one block per transaction as soon as it is in the pool.
import type { Logger } from 'pino'
import type { BlockProducer, ProduceRequest } from './producer.ts'
import type { ReceiptPool } from './receipts/pool.ts'
import type { TxPool } from './txpool/pool.ts'
import type { ExecutedBlock } from './types.ts'

export interface SequencerOptions {
  /** seconds; 0 = automine */
  blockTime: number
  emptyBlocks: boolean
}

export class Sequencer {
  readonly #producer: BlockProducer
  readonly #pool: TxPool
  readonly #receipts: ReceiptPool | undefined
  readonly #opts: SequencerOptions
  readonly #log: Logger
  #timer: NodeJS.Timeout | undefined
  #running = false
  #automine: boolean
  #nextTimestamp: bigint | undefined
  #draining: Promise<void> | undefined
  #wake = false
  #lastTick: number | undefined
  readonly #onAdded = () => {
    if (this.#running && this.#automine) void this.#drain()
  }

  constructor(producer: BlockProducer, pool: TxPool, opts: SequencerOptions, log: Logger, receipts?: ReceiptPool) {
    this.#producer = producer
    this.#pool = pool
    this.#receipts = receipts
    this.#opts = opts
    this.#log = log
    this.#automine = opts.blockTime === 0
  }

  start(): void {
    this.#running = true
    this.#pool.on('added', this.#onAdded)
    this.#receipts?.on('added', this.#onAdded)
    if (this.#automine) void this.#drain()
    else this.#schedule()
  }

  /** Stops making blocks; resolves once the block in progress, if any, is committed. */
  async stop(): Promise<void> {
    this.#running = false
    this.#pool.off('added', this.#onAdded)
    this.#receipts?.off('added', this.#onAdded)
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    await this.#draining
    await this.#producer.idle()
  }

  get automine(): boolean {
    return this.#automine
  }

  setAutomine(on: boolean): void {
    if (on === this.#automine) return
    this.#automine = on
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    if (!this.#running) return
    if (on) void this.#drain()
    else if (this.#opts.blockTime > 0) this.#schedule()
  }

  /** Runs `fn` between blocks. */
  pause<T>(fn: () => Promise<T>): Promise<T> {
    return this.#producer.exclusive(fn)
  }

  setNextTimestamp(ts: bigint): void {
    this.#nextTimestamp = ts
  }

  /** A block now, even an empty one (evm_mine). */
  async mine(req: Partial<ProduceRequest> = {}): Promise<ExecutedBlock | undefined> {
    return this.#produce({ allowEmpty: true, ...withoutTimestamp(req) }, req.timestamp)
  }

  /**
   * Makes a block with the timestamp set by evm_setNextBlockTimestamp, if any; the timestamp is
   * used up only when a block is actually made (an attempt with nothing to include keeps it).
   */
  async #produce(req: Omit<ProduceRequest, 'timestamp'>, explicit?: bigint): Promise<ExecutedBlock | undefined> {
    const next = this.#nextTimestamp
    const made = await this.#producer.produce({ ...req, timestamp: explicit ?? next })
    if (made !== undefined && explicit === undefined && this.#nextTimestamp === next) this.#nextTimestamp = undefined
    return made
  }

  /**
   * The next block starts one block time after the previous one started, on the wall-clock
   * grid; when a block took longer than the block time, the next one starts at once instead
   * of idling until the next grid point.
   */
  #schedule(): void {
    if (!this.#running || this.#automine) return
    const period = this.#opts.blockTime * 1000
    const now = Date.now()
    const due = this.#lastTick === undefined ? now + period - (now % period) : this.#lastTick + period
    this.#timer = setTimeout(() => void this.#tick(), Math.max(0, due - now))
  }

  async #tick(): Promise<void> {
    const period = this.#opts.blockTime * 1000
    const now = Date.now()
    this.#lastTick = now - (now % period)
    try {
      await this.#produce({ allowEmpty: this.#opts.emptyBlocks })
    } catch (err) {
      this.#log.error({ err }, 'block production failed')
    }
    this.#schedule()
  }

  /** Automine: one block per executable transaction until the pool has none. */
  #drain(): Promise<void> {
    this.#wake = true
    this.#draining ??= (async () => {
      try {
        while (this.#running && this.#automine && this.#wake) {
          this.#wake = false
          for (;;) {
            const made = await this.#produce({ allowEmpty: false, maxTxs: 1 })
            if (made === undefined || !this.#running) break
          }
        }
      } catch (err) {
        this.#log.error({ err }, 'block production failed')
      } finally {
        this.#draining = undefined
      }
    })()
    return this.#draining
  }
}

function withoutTimestamp(req: Partial<ProduceRequest>): Omit<Partial<ProduceRequest>, 'timestamp'> {
  const { timestamp: _, ...rest } = req
  return rest
}
