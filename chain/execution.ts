// Executing a block's transactions: shared by the sequencer (which chooses the transactions as it
// goes) and followers (which replay a received block), so both compute state the same way.
//
//   begin (checkpoint) ─► apply(tx)… (runTx against a header-only block context) ─► finish
//   (commit, state root, receipt and transaction roots, bloom) ─► seal (the final block)
//
// @ethereumjs's BlockBuilder is not used: it rebuilds the whole block, re-creating every
// transaction, after each added transaction — quadratic in the block size (a 3,000-transaction
// block spent most of its time there). The rules differ from runBlock in one place, on purpose:
// there is no beacon chain, so no EIP-4788 beacon-root system call is made (the header's
// parentBeaconBlockRoot is always zero).
import { Block, createBlockHeader } from '@ethereumjs/block'
import type { BlockHeader, HeaderData } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { keccak_256 } from '@noble/hashes/sha3.js'
import type { TypedTransaction } from '@ethereumjs/tx'
import { KECCAK256_RLP } from '@ethereumjs/util'
import { Bloom, encodeReceipt, runTx } from '@ethereumjs/vm'
import type { RunTxResult, VM } from '@ethereumjs/vm'
import type { BlockArtifacts } from '../precompiles/artifacts.ts'
import type { EvmExtensions } from './extensions.ts'
import { NO_EXTENSIONS } from './extensions.ts'
import { orderedTrieRootOf } from './orderedTrie.ts'

export interface BlockFields {
  number: bigint
  parentHash: Uint8Array
  timestamp: bigint
  coinbase: Uint8Array
  gasLimit: bigint
  baseFeePerGas: bigint
  extraData: Uint8Array
  mixHash?: Uint8Array
}

export interface ExecutionOutcome {
  stateRoot: Uint8Array
  receiptsRoot: Uint8Array
  transactionsRoot: Uint8Array
  logsBloom: Uint8Array
  gasUsed: bigint
  /** what the precompiles recorded beside the state (settlement outcomes, graph bytes) */
  artifacts: BlockArtifacts
}

/** A header-only block that gives transactions their context (number, time, coinbase, base fee). */
export function contextBlock(common: Common, f: BlockFields): Block {
  return new Block(createBlockHeader(headerData(f), { common, skipConsensusFormatValidation: true }), [], [], [], { common })
}

function headerData(f: BlockFields): HeaderData {
  return {
    number: f.number,
    parentHash: f.parentHash,
    timestamp: f.timestamp,
    coinbase: f.coinbase,
    gasLimit: f.gasLimit,
    baseFeePerGas: f.baseFeePerGas,
    extraData: f.extraData,
    mixHash: f.mixHash ?? new Uint8Array(32),
    difficulty: 0n,
    withdrawalsRoot: KECCAK256_RLP,
    blobGasUsed: 0n,
    excessBlobGas: 0n,
    parentBeaconBlockRoot: new Uint8Array(32),
  }
}

export class BlockExecution {
  readonly txs: TypedTransaction[] = []
  readonly results: RunTxResult[] = []
  gasUsed = 0n
  readonly #vm: VM
  readonly #context: Block
  readonly #fields: BlockFields
  readonly #extensions: EvmExtensions
  #open = true

  private constructor(vm: VM, fields: BlockFields, extensions: EvmExtensions) {
    this.#vm = vm
    this.#fields = fields
    this.#extensions = extensions
    this.#context = contextBlock(vm.common, fields)
  }

  static async begin(vm: VM, fields: BlockFields, extensions: EvmExtensions = NO_EXTENSIONS): Promise<BlockExecution> {
    await vm.evm.journal.checkpoint()
    extensions.beginBlock(vm.evm as Parameters<EvmExtensions['beginBlock']>[0])
    return new BlockExecution(vm, fields, extensions)
  }

  get #evm(): Parameters<EvmExtensions['beginBlock']>[0] {
    return this.#vm.evm as Parameters<EvmExtensions['beginBlock']>[0]
  }

  get remainingGas(): bigint {
    return this.#fields.gasLimit - this.gasUsed
  }

  /** Runs one transaction; throws (leaving the state as it was) if it cannot be included. */
  async apply(tx: TypedTransaction): Promise<RunTxResult> {
    if (tx.gasLimit > this.remainingGas) throw new Error(`transaction gas limit ${tx.gasLimit} exceeds the ${this.remainingGas} gas left in the block`)
    this.#extensions.beginTx(this.#evm, this.txs.length)
    let result: RunTxResult
    try {
      result = await runTx(this.#vm, { tx, block: this.#context, blockGasUsed: this.gasUsed, skipHardForkValidation: true })
    } catch (err) {
      this.#extensions.endTx(this.#evm, false)
      throw err
    }
    this.#extensions.endTx(this.#evm, result.execResult.exceptionError === undefined)
    this.txs.push(tx)
    this.results.push(result)
    this.gasUsed += result.totalGasSpent
    return result
  }

  async finish(): Promise<ExecutionOutcome> {
    this.#open = false
    await this.#vm.evm.journal.commit()
    const stateRoot = await this.#vm.stateManager.getStateRoot()
    const common = this.#vm.common
    const bloom = new Bloom(undefined, common)
    for (const r of this.results) bloom.or(r.bloom)
    return {
      stateRoot,
      receiptsRoot: await orderedTrieRoot(common, this.results.map((r, i) => encodeReceipt(r.receipt, this.txs[i].type))),
      transactionsRoot: await orderedTrieRoot(common, this.txs.map((tx) => tx.serialize())),
      logsBloom: bloom.bitvector,
      gasUsed: this.gasUsed,
      artifacts: this.#extensions.finishBlock(this.#evm),
    }
  }

  async abort(): Promise<void> {
    if (!this.#open) return
    this.#open = false
    this.#extensions.abortBlock(this.#evm)
    await this.#vm.evm.journal.revert()
  }

  /** The finished block: the executed transactions under a header carrying the outcome. */
  seal(outcome: ExecutionOutcome): Block {
    const common = this.#vm.common
    const header: BlockHeader = createBlockHeader(
      {
        ...headerData(this.#fields),
        stateRoot: outcome.stateRoot,
        receiptTrie: outcome.receiptsRoot,
        transactionsTrie: outcome.transactionsRoot,
        logsBloom: outcome.logsBloom,
        gasUsed: outcome.gasUsed,
      },
      { common },
    )
    return new Block(header, this.txs, [], [], { common })
  }
}

/** Root of the trie of RLP(index) → value, as the transactions and receipts roots are defined. */
export async function orderedTrieRoot(common: Common, values: Uint8Array[]): Promise<Uint8Array> {
  return orderedTrieRootOf(values, common.customCrypto.keccak256 ?? keccak_256)
}
