// The sequencer's block producer: takes the pool's best executable transactions up to the gas
// limit, executes them on the head state, seals the block and commits it.
//
//   head ─► buildBlock(parent) ─► for tx of pool.best(baseFee): addTransaction ─► build()
//        ─► sign ─► chain.commit (block + receipts + state, one batch) ─► pool.onNewHead
import type { Block } from '@ethereumjs/block'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { Address } from '@ethereumjs/util'
import { buildBlock } from '@ethereumjs/vm'
import type { BlockBuilder, RunTxResult, VM } from '@ethereumjs/vm'
import type { Logger } from 'pino'
import type { Chain } from './chain.ts'
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
}

export interface ProduceRequest {
  /** build even if no transaction is executable */
  allowEmpty: boolean
  timestamp?: bigint
  maxTxs?: number
  /** a direct state edit applied before the block's transactions (development only) */
  mutate?: (state: MerkleStateManager) => Promise<void>
}

export class BlockProducer {
  readonly #chain: Chain
  readonly #pool: TxPool
  readonly #opts: ProducerOptions
  readonly #log: Logger
  #state!: MerkleStateManager
  #vm!: VM
  #busy: Promise<unknown> = Promise.resolve()

  constructor(chain: Chain, pool: TxPool, opts: ProducerOptions, log: Logger) {
    this.#chain = chain
    this.#pool = pool
    this.#opts = opts
    this.#log = log
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
    const chain = this.#chain
    const parent = (await chain.block({ hash: chain.head.hash() })) as Block
    if (!equal(await this.#state.getStateRoot(), parent.header.stateRoot)) {
      await this.#state.setStateRoot(parent.header.stateRoot)
    }
    if (req.mutate !== undefined) await req.mutate(this.#state)
    const now = BigInt(Math.floor(Date.now() / 1000))
    const minTs = parent.header.timestamp + 1n
    const timestamp = req.timestamp ?? (now > minTs ? now : minTs)
    const builder = await buildBlock(this.#vm, {
      parentBlock: parent,
      headerData: {
        timestamp,
        coinbase: new Address(fromHex(this.#opts.coinbase)),
        extraData: this.#opts.extraData,
        parentBeaconBlockRoot: new Uint8Array(32),
      },
      withdrawals: [],
      blockOpts: { putBlockIntoBlockchain: false, calcDifficultyFromHeader: undefined },
    })
    try {
      return await this.#fill(builder, parent, req)
    } catch (err) {
      // leave the execution state exactly at the head, whatever failed
      if (builder.getStatus().status === 'pending') await builder.revert()
      await this.#state.setStateRoot(parent.header.stateRoot)
      throw err
    }
  }

  async #fill(builder: BlockBuilder, parent: Block, req: ProduceRequest): Promise<ExecutedBlock | undefined> {
    const chain = this.#chain
    const baseFee = builder['headerData'].baseFeePerGas as bigint
    const gasLimit = parent.header.gasLimit
    const maxTxs = req.maxTxs ?? this.#opts.maxTxs ?? Number.MAX_SAFE_INTEGER
    const included: PoolTx[] = []
    const results: RunTxResult[] = []
    const failed: Uint8Array[] = []
    const it = this.#pool.best(baseFee)
    let skip = false
    for (let step = it.next(); !step.done; step = it.next(skip)) {
      const p = step.value
      skip = false
      if (included.length >= maxTxs) break
      if (p.gasLimit > gasLimit - builder.gasUsed) {
        skip = true
        if (gasLimit - builder.gasUsed < 21_000n) break
        continue
      }
      try {
        results.push(await builder.addTransaction(p.tx, { skipHardForkValidation: true }))
        included.push(p)
      } catch (err) {
        // the sender's state moved under it (spent, or nonce taken): it can never run as is
        this.#log.debug({ tx: p.hashHex, err: (err as Error).message }, 'dropping unexecutable transaction')
        failed.push(p.hash)
        skip = true
      }
    }
    if (failed.length > 0) this.#pool.drop(failed)
    if (included.length === 0 && !req.allowEmpty) {
      await builder.revert()
      return undefined
    }
    const { block } = await builder.build()
    const executed: ExecutedBlock = {
      block,
      receipts: included.map((p, i) => toStoredReceipt(p.tx, results[i])),
      senders: included.map((p) => p.sender),
      signature: this.#opts.sign?.(block.hash()),
    }
    await chain.commit(executed)
    await this.#pool.onNewHead()
    this.#log.info(
      { number: Number(block.header.number), hash: toHex(block.hash()), txs: included.length, gasUsed: Number(block.header.gasUsed) },
      'block produced',
    )
    return executed
  }
}
