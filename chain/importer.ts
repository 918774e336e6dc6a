// A follower's block import: a block from the sequencer is never trusted. Its header is checked
// against the parent and the chain's rules, its transactions re-executed on our own state, and the
// state root, receipts root, bloom and gas used compared; only an identical result is committed.
//
//   block ─► known? ─► extends head? ─► header rules ─► re-execute (as the sequencer did) ─► compare
//         ─► chain.commit (block + receipts + state, one batch)      any failure: nothing stored
import type { Block, BlockHeader } from '@ethereumjs/block'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { KECCAK256_RLP, KECCAK256_RLP_ARRAY } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import { BlockExecution } from './execution.ts'
import type { ExecutionOutcome } from './execution.ts'
import type { Logger } from 'pino'
import type { Chain } from './chain.ts'
import { toStoredReceipt } from './receipts.ts'
import type { ExecutedBlock } from './types.ts'
import { equal, toHex } from './util/bytes.ts'

export type ImportResult = 'imported' | 'known' | { invalid: string } | { unknownParent: true }

export class BlockImporter {
  readonly #chain: Chain
  readonly #log: Logger
  #state!: MerkleStateManager
  #vm!: VM
  #busy: Promise<unknown> = Promise.resolve()

  constructor(chain: Chain, log: Logger) {
    this.#chain = chain
    this.#log = log
  }

  async init(): Promise<void> {
    this.#state = this.#chain.createExecutionState()
    this.#vm = await this.#chain.createVM(this.#state)
  }

  /** Imports blocks one at a time, in call order. */
  import(block: Block, signature?: Uint8Array): Promise<ImportResult> {
    const run = this.#busy.then(() => this.#import(block, signature))
    this.#busy = run.catch(() => undefined)
    return run
  }

  async #import(block: Block, signature?: Uint8Array): Promise<ImportResult> {
    const chain = this.#chain
    const head = chain.head
    const number = block.header.number
    if (number <= head.number) {
      const canonical = await chain.store.hashByNumber(number)
      if (canonical !== undefined && equal(canonical, block.hash())) return 'known'
      return { invalid: `block ${number} conflicts with our canonical block ${canonical === undefined ? '?' : toHex(canonical)}` }
    }
    if (number !== head.number + 1n || !equal(block.header.parentHash, head.hash())) return { unknownParent: true }
    const problem = this.#checkHeader(block, head)
    if (problem !== undefined) return { invalid: problem }
    if (!equal(await this.#state.getStateRoot(), head.stateRoot)) await this.#state.setStateRoot(head.stateRoot)
    let executed: ExecutedBlock
    const h = block.header
    const exec = await BlockExecution.begin(this.#vm, {
      number: h.number,
      parentHash: h.parentHash,
      timestamp: h.timestamp,
      coinbase: h.coinbase.bytes,
      gasLimit: h.gasLimit,
      baseFeePerGas: h.baseFeePerGas ?? 0n,
      extraData: h.extraData,
      mixHash: h.mixHash,
    }, chain.extensions)
    try {
      for (const tx of block.transactions) await exec.apply(tx)
      const outcome = await exec.finish()
      const mismatch = compare(block, outcome)
      if (mismatch !== undefined) throw new Error(mismatch)
      executed = {
        block,
        receipts: block.transactions.map((tx, i) => toStoredReceipt(tx, exec.results[i])),
        senders: block.transactions.map((tx) => tx.getSenderAddress().bytes),
        signature,
        artifacts: outcome.artifacts,
      }
    } catch (err) {
      await exec.abort()
      await this.#state.setStateRoot(head.stateRoot)
      const reason = shortReason(err)
      this.#log.warn({ number: Number(number), hash: toHex(block.hash()), reason }, 'block rejected on re-execution')
      return { invalid: reason }
    }
    await chain.commit(executed)
    this.#log.info({ number: Number(number), txs: block.transactions.length, at: Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000 }, 'block imported')
    return 'imported'
  }

  /** The rules of this chain that a block's header must follow, cheapest first. */
  #checkHeader(block: Block, parent: BlockHeader): string | undefined {
    const h = block.header
    const genesis = this.#chain.genesis
    if (h.timestamp < parent.timestamp) return `timestamp ${h.timestamp} is before the parent's ${parent.timestamp}`
    if (h.gasLimit !== parent.gasLimit) return `gas limit ${h.gasLimit} differs from the parent's ${parent.gasLimit}`
    if (h.gasUsed > h.gasLimit) return `gas used ${h.gasUsed} exceeds the gas limit`
    if (h.baseFeePerGas !== parent.calcNextBaseFee()) return `base fee ${h.baseFeePerGas} should be ${parent.calcNextBaseFee()}`
    if (h.coinbase.toString() !== genesis.feeRecipient) return `fee recipient ${h.coinbase.toString()} is not ${genesis.feeRecipient}`
    if (h.difficulty !== 0n) return 'difficulty must be 0'
    if (!equal(h.uncleHash, KECCAK256_RLP_ARRAY) || block.uncleHeaders.length > 0) return 'blocks carry no uncles'
    if ((block.withdrawals?.length ?? 0) > 0 || (h.withdrawalsRoot !== undefined && !equal(h.withdrawalsRoot, KECCAK256_RLP))) return 'blocks carry no withdrawals'
    if ((h.blobGasUsed ?? 0n) !== 0n || (h.excessBlobGas ?? 0n) !== 0n) return 'blocks carry no blobs'
    // there is no beacon chain: the field is always zero (execution makes no EIP-4788 call)
    if (h.parentBeaconBlockRoot !== undefined && h.parentBeaconBlockRoot.some((b) => b !== 0)) return 'the parent beacon block root must be zero'
    if (block.transactions.some((tx) => tx.type === 3)) return 'blob transactions are not accepted on this chain'
    return undefined
  }
}

/** The header must state exactly what re-execution produced. */
function compare(block: Block, o: ExecutionOutcome): string | undefined {
  const h = block.header
  if (!equal(o.transactionsRoot, h.transactionsTrie)) return 'transactions root does not match the transactions'
  if (o.gasUsed !== h.gasUsed) return `gas used ${h.gasUsed} differs from re-execution (${o.gasUsed})`
  if (!equal(o.receiptsRoot, h.receiptTrie)) return `receipts root differs from re-execution (${toHex(o.receiptsRoot)})`
  if (!equal(o.logsBloom, h.logsBloom)) return 'logs bloom differs from re-execution'
  if (!equal(o.stateRoot, h.stateRoot)) return `state root ${toHex(h.stateRoot)} differs from re-execution (${toHex(o.stateRoot)})`
  return undefined
}

function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return msg.replace(/ \(block number=.*$/s, '').replace(/ \(vm hf=.*$/s, '')
}
