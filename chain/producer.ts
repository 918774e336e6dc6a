// The sequencer's block producer: takes the pool's best executable transactions up to the gas
// limit, executes them on the head state, seals the block and commits it.
//
//   head ─► BlockExecution.begin ─► for tx of pool.best(baseFee): apply ─► finish ─► seal
//        ─► sign ─► chain.commit (block + receipts + state, one batch) ─► pool.onNewHead
import type { BlockHeader } from '@ethereumjs/block'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { Address, privateToAddress } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import type { Logger } from 'pino'
import { joinReceiptBatch } from '../precompiles/receipts/format.ts'
import type { Chain } from './chain.ts'
import { BlockExecution } from './execution.ts'
import type { ReceiptPool } from './receipts/pool.ts'
import type { SequencerBatch } from './receipts/sequencerBatch.ts'
import { settlementTx } from './receipts/settlementTx.ts'
import { toStoredReceipt } from './receipts.ts'
import type { TxPool } from './txpool/pool.ts'
import type { PoolTx } from './txpool/poolTx.ts'
import type { ExecutedBlock } from './types.ts'
import { equal, fromHex, toHex } from './util/bytes.ts'

export interface ProducerOptions {
  coinbase: string
  extraData?: Uint8Array
  /** signs the block hash for gossip; absent on chains without peers */
  sign?: (blockHash: Uint8Array) => Uint8Array
  /** at most this many transactions per block (block-time 0 mines one per block) */
  maxTxs?: number
  /** settles pending inference receipts first in every block */
  settlement?: SettlementOptions
}

export interface SettlementOptions {
  pool: ReceiptPool
  /** the Receipts precompile */
  receipts: Uint8Array
  /** the sequencer's key: the settlement transaction is its own */
  key: Uint8Array
  /** share of the block gas limit settlement may take, in basis points */
  maxGasBps: number
  /** largest batch, in bytes of receipts */
  maxBatchBytes: number
  /** where the batch being executed is shown to the Receipts precompile, already checked (the one its services were given) */
  checked?: SequencerBatch
}

export interface ProduceRequest {
  /** build even if no transaction is executable */
  allowEmpty: boolean
  timestamp?: bigint
  maxTxs?: number
  /** a direct state edit applied before the block's transactions (development only) */
  mutate?: (state: MerkleStateManager) => Promise<void>
}

/** Below this much gas left, no transaction can fit: stop filling. */
const MIN_TX_GAS = 21_000n

export class BlockProducer {
  readonly #chain: Chain
  readonly #pool: TxPool
  readonly #opts: ProducerOptions
  readonly #log: Logger
  #state!: MerkleStateManager
  #vm!: VM
  #busy: Promise<unknown> = Promise.resolve()
  #settlementWarned = 0
  /** the sequencer's address, from its key once (a public key derivation costs about a millisecond) */
  readonly #settler: Address | undefined

  constructor(chain: Chain, pool: TxPool, opts: ProducerOptions, log: Logger) {
    this.#chain = chain
    this.#pool = pool
    this.#opts = opts
    this.#log = log
    this.#settler = opts.settlement === undefined ? undefined : new Address(privateToAddress(opts.settlement.key))
  }

  async init(): Promise<void> {
    this.#state = this.#chain.createExecutionState()
    this.#vm = await this.#chain.createVM(this.#state)
  }

  /** Resolves when no block is being made. */
  idle(): Promise<void> {
    return this.#busy.then(() => undefined)
  }

  /** Runs `fn` while no block is being made (rewinds, snapshots). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(fn)
    this.#busy = run.catch(() => undefined)
    return run
  }

  /** Builds, commits and returns the next block, or undefined when there was nothing to include. */
  produce(req: ProduceRequest): Promise<ExecutedBlock | undefined> {
    // one block at a time, in call order
    const run = this.#busy.then(() => this.#produce(req))
    this.#busy = run.catch(() => undefined)
    return run
  }

  async #produce(req: ProduceRequest): Promise<ExecutedBlock | undefined> {
    const parent = this.#chain.head
    if (!equal(await this.#state.getStateRoot(), parent.stateRoot)) await this.#state.setStateRoot(parent.stateRoot)
    try {
      if (req.mutate !== undefined) await req.mutate(this.#state)
      return await this.#build(parent, req)
    } catch (err) {
      // leave the execution state exactly at the head, whatever failed
      await this.#state.setStateRoot(parent.stateRoot)
      throw err
    }
  }

  async #build(parent: BlockHeader, req: ProduceRequest): Promise<ExecutedBlock | undefined> {
    // timestamps never go backwards and never run ahead of the clock: several blocks in one
    // second (automine, evm_mine) share the second rather than drift into the future
    const now = BigInt(Math.floor(Date.now() / 1000))
    const minTs = parent.timestamp
    const baseFee = parent.calcNextBaseFee()
    const exec = await BlockExecution.begin(this.#vm, {
      number: parent.number + 1n,
      parentHash: parent.hash(),
      timestamp: req.timestamp ?? (now > minTs ? now : minTs),
      coinbase: fromHex(this.#opts.coinbase),
      gasLimit: parent.gasLimit,
      baseFeePerGas: baseFee,
      extraData: this.#opts.extraData ?? new Uint8Array(),
    }, this.#chain.extensions)
    const t0 = performance.now()
    const settled = await this.#settle(exec, parent, baseFee)
    const maxTxs = req.maxTxs ?? this.#opts.maxTxs ?? Number.MAX_SAFE_INTEGER
    const included: PoolTx[] = []
    const failed: Uint8Array[] = []
    const it = this.#pool.best(baseFee)
    let skip = false
    for (let step = it.next(); !step.done && included.length < maxTxs; step = it.next(skip)) {
      const p = step.value
      skip = false
      if (p.gasLimit > exec.remainingGas) {
        skip = true
        if (exec.remainingGas < MIN_TX_GAS) break
        continue
      }
      try {
        await exec.apply(p.tx)
        included.push(p)
      } catch (err) {
        // the sender's state moved under it (spent, or nonce taken): it can never run as is
        this.#log.debug({ tx: p.hashHex, err: (err as Error).message }, 'dropping unexecutable transaction')
        failed.push(p.hash)
        skip = true
      }
    }
    if (failed.length > 0) this.#pool.drop(failed)
    if (included.length === 0 && settled === undefined && !req.allowEmpty && req.mutate === undefined) {
      await exec.abort()
      return undefined
    }
    const t1 = performance.now()
    const outcome = await exec.finish()
    const block = exec.seal(outcome)
    const t2 = performance.now()
    const senders = [...(settled === undefined ? [] : [settled]), ...included.map((p) => p.sender)]
    const executed: ExecutedBlock = {
      block,
      receipts: exec.txs.map((tx, i) => toStoredReceipt(tx, exec.results[i])),
      senders,
      signature: this.#opts.sign?.(block.hash()),
      artifacts: outcome.artifacts,
    }
    await this.#chain.commit(executed)
    const t3 = performance.now()
    await this.#pool.onNewHead()
    this.#log.info(
      {
        number: Number(block.header.number),
        hash: toHex(block.hash()),
        txs: included.length,
        receipts: outcome.artifacts.settlements.length,
        gasUsed: Number(block.header.gasUsed),
        // where the time went: executing, sealing (state root, tries), committing, pool update
        ms: [t1 - t0, t2 - t1, t3 - t2, performance.now() - t3].map((x) => Math.round(x)),
      },
      'block produced',
    )
    return executed
  }

  /**
   * Pending receipts, as many as the settlement's share of the block takes, in one transaction
   * first in the block. If it cannot be included (the sequencer cannot pay its gas), the block is
   * made without it and the receipts wait, with an error in the log.
   */
  async #settle(exec: BlockExecution, parent: BlockHeader, baseFee: bigint): Promise<Uint8Array | undefined> {
    const s = this.#opts.settlement
    const sender = this.#settler
    if (s === undefined || sender === undefined || s.pool.size === 0) return undefined
    const gasLimit = (parent.gasLimit * BigInt(s.maxGasBps)) / 10_000n
    const picked = s.pool.take(gasLimit - 100_000n, s.maxBatchBytes)
    if (picked.length === 0) return undefined
    const nonce = (await this.#state.getAccount(sender))?.nonce ?? 0n
    const batch = joinReceiptBatch(picked.map((p) => p.raw))
    const tx = settlementTx({ common: this.#chain.common, receipts: s.receipts, nonce, baseFee, gasLimit, batch, key: s.key })
    s.checked?.hold(batch, picked)
    try {
      await exec.apply(tx)
    } catch (err) {
      if (Date.now() - this.#settlementWarned > 60_000) {
        this.#settlementWarned = Date.now()
        this.#log.error({ err: (err as Error).message, sequencer: sender.toString(), receipts: picked.length }, 'the settlement transaction cannot be included: receipts wait (does the sequencer hold OPEN for gas?)')
      }
      return undefined
    } finally {
      s.checked?.release()
    }
    return sender.bytes
  }
}
