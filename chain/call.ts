// Execution without a block: eth_call, eth_estimateGas and eth_createAccessList run a transaction
// built from the request on a throwaway view of a block's state, with the sender impersonated.
import { createBlock } from '@ethereumjs/block'
import type { BlockHeader } from '@ethereumjs/block'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTx, TransactionType } from '@ethereumjs/tx'
import type { AccessList, TypedTransaction } from '@ethereumjs/tx'
import type { EOACode7702AuthorizationList as AuthorizationList } from '@ethereumjs/util'
import { Account, Address, KECCAK256_RLP } from '@ethereumjs/util'
import { runTx } from '@ethereumjs/vm'
import type { RunTxResult, VM } from '@ethereumjs/vm'
import type { Chain } from './chain.ts'
import { ChainError } from './errors.ts'
import { equal } from './util/bytes.ts'

export interface CallRequest {
  from?: Uint8Array
  to?: Uint8Array
  gas?: bigint
  gasPrice?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  value?: bigint
  data?: Uint8Array
  nonce?: bigint
  accessList?: AccessList
  authorizationList?: AuthorizationList
}

export interface AccountOverride {
  balance?: bigint
  nonce?: bigint
  code?: Uint8Array
  /** replaces the whole storage */
  state?: Map<string, Uint8Array>
  /** changes only these slots */
  stateDiff?: Map<string, Uint8Array>
}
export type StateOverrides = Map<string, AccountOverride>

export interface CallOutcome {
  success: boolean
  reverted: boolean
  /** EVM error name (out of gas, invalid opcode …) when the call failed without REVERT */
  error?: string
  returnValue: Uint8Array
  gasUsed: bigint
  /** gas the transaction must be given, before refunds are returned */
  gasNeeded: bigint
  accessList?: AccessList
}

/** Thrown when the request cannot run at all (funds, nonce, intrinsic gas …); message in geth's words. */
export class CallError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CallError'
  }
}

const ZERO_ADDRESS = new Uint8Array(20)

export class CallExecutor {
  readonly #chain: Chain
  /** the most gas a call may use (geth's RPC gas cap) */
  readonly gasCap: bigint

  constructor(chain: Chain, gasCap = 50_000_000n) {
    this.#chain = chain
    this.gasCap = gasCap
  }

  async call(req: CallRequest, header: BlockHeader, overrides?: StateOverrides): Promise<CallOutcome> {
    return this.#withState(header, overrides, (state) => this.#execute(state, req, header, req.gas ?? this.#defaultGas(header)))
  }

  async createAccessList(req: CallRequest, header: BlockHeader): Promise<CallOutcome> {
    return this.#withState(header, undefined, (state) => this.#execute(state, req, header, req.gas ?? this.#defaultGas(header), true))
  }

  /** Smallest gas limit that lets the transaction succeed, by bisection as geth does. */
  async estimateGas(req: CallRequest, header: BlockHeader, overrides?: StateOverrides): Promise<bigint | CallOutcome> {
    return this.#withState(header, overrides, (state) => this.#estimate(state, req, header))
  }

  async #estimate(state: MerkleStateManager, req: CallRequest, header: BlockHeader): Promise<bigint | CallOutcome> {
    let hi = req.gas ?? this.#defaultGas(header)
    const first = await this.#execute(state, req, header, hi)
    if (!first.success) return first
    const intrinsic = this.#buildTx(req, 0n, header, hi).getIntrinsicGas()
    let lo = (first.gasNeeded > intrinsic ? first.gasNeeded : intrinsic) - 1n
    // what it used is usually enough (plain transfers, most calls): then that is the answer
    const exact = await this.#execute(state, req, header, lo + 1n)
    if (exact.success) return lo + 1n
    lo++
    // otherwise mostly what it used plus the 1/64 withheld by calls, and a stipend
    const guess = (first.gasNeeded * 64n) / 63n + 2300n
    if (guess < hi) {
      const r = await this.#execute(state, req, header, guess)
      if (r.success) hi = guess
      else lo = guess
    }
    while (lo + 1n < hi) {
      // stop within 1.5% of the answer, like geth; the error is on the generous side
      if ((hi - lo) * 1000n / hi < 15n) break
      const mid = (lo + hi) / 2n
      const r = await this.#execute(state, req, header, mid)
      if (r.success) hi = mid
      else lo = mid
    }
    return hi
  }

  #defaultGas(header: BlockHeader): bigint {
    return header.gasLimit < this.gasCap ? header.gasLimit : this.gasCap
  }

  /**
   * Runs `fn` on the state at `header`, every change undone afterwards. At the head that is the
   * chain's warm view for calls (never the one plain readers use): calls take turns on it (a
   * checkpoint open for one call must not see another's writes). Older blocks get a private view.
   */
  async #withState<T>(header: BlockHeader, overrides: StateOverrides | undefined, fn: (state: MerkleStateManager) => Promise<T>): Promise<T> {
    const atHead = equal(header.stateRoot, this.#chain.head.stateRoot)
    const state = atHead ? await this.#chain.callState(header) : await this.#chain.stateAt(header)
    const release = atHead ? await this.#lock() : () => {}
    await state.checkpoint()
    try {
      if (overrides !== undefined) await applyOverrides(state, overrides)
      return await fn(state)
    } finally {
      await state.revert()
      release()
    }
  }

  #queue: Promise<void> = Promise.resolve()

  #lock(): Promise<() => void> {
    let release!: () => void
    const turn = new Promise<void>((resolve) => (release = resolve))
    const previous = this.#queue
    this.#queue = previous.then(() => turn)
    return previous.then(() => release)
  }

  /** One VM per state view: creating one costs about a third of a millisecond. */
  async #vmFor(state: MerkleStateManager): Promise<VM> {
    let vm = this.#vms.get(state)
    if (vm === undefined) {
      vm = await this.#chain.createVM(state)
      this.#vms.set(state, vm)
    }
    return vm
  }

  readonly #vms = new WeakMap<MerkleStateManager, VM>()

  async #execute(state: MerkleStateManager, req: CallRequest, header: BlockHeader, gas: bigint, reportAccessList = false): Promise<CallOutcome> {
    const from = new Address(req.from ?? ZERO_ADDRESS)
    const account = await state.getAccount(from)
    const tx = this.#buildTx(req, req.nonce ?? account?.nonce ?? 0n, header, gas)
    Object.defineProperty(tx, 'getSenderAddress', { value: () => from })
    const vm = await this.#vmFor(state)
    const block = callBlock(this.#chain, header, priced(req))
    await state.checkpoint()
    let result: RunTxResult
    try {
      result = await runTx(vm, { tx, block, skipNonce: true, skipBlockGasLimitValidation: true, skipHardForkValidation: true, reportAccessList })
    } catch (err) {
      throw new CallError(gethMessage((err as Error).message))
    } finally {
      await state.revert()
    }
    const exec = result.execResult
    const error = exec.exceptionError?.error
    return {
      success: error === undefined,
      reverted: error === 'revert',
      error,
      returnValue: exec.returnValue,
      gasUsed: result.totalGasSpent,
      gasNeeded: result.totalGasSpent + result.gasRefund,
      accessList: result.accessList,
    }
  }

  #buildTx(req: CallRequest, nonce: bigint, header: BlockHeader, gas: bigint): TypedTransaction {
    const common = this.#chain.common
    const base = { nonce, to: req.to, value: req.value ?? 0n, data: req.data ?? new Uint8Array(), gasLimit: gas }
    const opts = { common, freeze: false }
    if (req.authorizationList !== undefined) {
      return createTx({ ...base, type: TransactionType.EOACodeEIP7702, ...fees1559(req, header), accessList: req.accessList ?? [], authorizationList: req.authorizationList }, opts)
    }
    if (req.maxFeePerGas !== undefined || req.maxPriorityFeePerGas !== undefined) {
      return createTx({ ...base, type: TransactionType.FeeMarketEIP1559, ...fees1559(req, header), accessList: req.accessList ?? [] }, opts)
    }
    if (req.accessList !== undefined) {
      return createTx({ ...base, type: TransactionType.AccessListEIP2930, gasPrice: req.gasPrice ?? 0n, accessList: req.accessList }, opts)
    }
    return createTx({ ...base, type: TransactionType.Legacy, gasPrice: req.gasPrice ?? 0n }, opts)
  }
}

function fees1559(req: CallRequest, header: BlockHeader): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  const tip = req.maxPriorityFeePerGas ?? 0n
  return { maxFeePerGas: req.maxFeePerGas ?? (header.baseFeePerGas ?? 0n) + tip, maxPriorityFeePerGas: tip }
}

function priced(req: CallRequest): boolean {
  return (req.gasPrice ?? 0n) > 0n || (req.maxFeePerGas ?? 0n) > 0n || (req.maxPriorityFeePerGas ?? 0n) > 0n
}

/** The block a call runs in: the selected header, with no base fee when the call sets no price (as geth). */
function callBlock(chain: Chain, header: BlockHeader, pricedCall: boolean) {
  return createBlock(
    {
      header: {
        number: header.number,
        parentHash: header.parentHash,
        timestamp: header.timestamp,
        gasLimit: header.gasLimit,
        coinbase: header.coinbase,
        mixHash: header.mixHash,
        baseFeePerGas: pricedCall ? header.baseFeePerGas : 0n,
        withdrawalsRoot: KECCAK256_RLP,
        blobGasUsed: 0n,
        excessBlobGas: header.excessBlobGas ?? 0n,
        parentBeaconBlockRoot: header.parentBeaconBlockRoot ?? new Uint8Array(32),
      },
      withdrawals: [],
    },
    { common: chain.common, skipConsensusFormatValidation: true },
  )
}

export async function applyOverrides(state: MerkleStateManager, overrides: StateOverrides): Promise<void> {
  for (const [addrHex, o] of overrides) {
    const address = new Address(Uint8Array.from(Buffer.from(addrHex.slice(2), 'hex')))
    if (o.state !== undefined && o.stateDiff !== undefined) {
      throw new ChainError('INVALID_BLOCK', `state override for ${addrHex} has both state and stateDiff`)
    }
    const acc = (await state.getAccount(address)) ?? new Account()
    if (o.balance !== undefined) acc.balance = o.balance
    if (o.nonce !== undefined) acc.nonce = o.nonce
    await state.putAccount(address, acc)
    if (o.code !== undefined) await state.putCode(address, o.code)
    if (o.state !== undefined) await state.clearStorage(address)
    for (const [slot, value] of o.state ?? o.stateDiff ?? []) {
      await state.putStorage(address, Uint8Array.from(Buffer.from(slot.slice(2), 'hex')), value)
    }
  }
}

/** @ethereumjs's messages for a transaction that cannot start, in the words tools expect (geth's). */
export function gethMessage(msg: string): string {
  const m = msg.replace(/ \(.*? -> .*?\)$/s, '')
  if (m.includes("doesn't have enough funds")) return `insufficient funds for gas * price + value: ${m}`
  if (m.includes('INTRINSIC_GAS_TOO_LOW') || m.includes('is lower than the minimum gas limit')) return `intrinsic gas too low: ${m}`
  if (m.includes('is less than the block\'s baseFeePerGas')) return `max fee per gas less than block base fee: ${m}`
  if (m.includes('not EOA')) return 'sender not an eoa: the call\'s from address holds contract code'
  if (m.includes('gas limit') && m.includes('higher than')) return `gas limit too high: ${m}`
  return m
}
