// Turns a precompile definition — an ABI and a handler per function — into the function
// @ethereumjs/evm runs for calls to its address.
//
//   input ─► gas: base + input words ─► frame checks (delegatecall, static write, value)
//         ─► decode (selector → function) ─► handler(ctx, args) ─► encode result, logs
//   Revert → REVERT with the ABI-encoded custom error; OutOfGas → all gas consumed
import { EVMError } from '@ethereumjs/evm'
import type { EVM, ExecResult, Log, PrecompileInput } from '@ethereumjs/evm'
import { Account } from '@ethereumjs/util'
import type { Address } from '@ethereumjs/util'
import { decodeFunctionData, encodeAbiParameters, encodeErrorResult, encodeEventTopics, encodeFunctionResult, toFunctionSelector } from 'viem'
import type { Abi, AbiEvent, AbiFunction } from 'viem'
import type { BlockInfo, CallFrame } from './context.ts'
import { currentBlock, currentFrame } from './context.ts'
import { GasMeter, OutOfGas } from './gas.ts'
import { bytes, hex } from './hex.ts'
import type { GasSchedule } from './gas.ts'
import { Revert } from './revert.ts'
import { Store } from './storage.ts'
import type { StorageAccess } from './storage.ts'

export type Activation = { block?: bigint; timestamp?: bigint }

export interface CallContext {
  frame: CallFrame
  block: BlockInfo
  /** this precompile's storage, metered */
  store: Store
  meter: GasMeter
  /** logs an event of this precompile's ABI */
  emit(eventName: string, args: Record<string, unknown>): void
  /** moves OPEN held by this precompile to `to` */
  pay(to: Address, amount: bigint): Promise<void>
  /** this precompile's storage without per-slot metering, for functions that charge by their own schedule */
  unmetered: Store
  /** the EVM running the call (for services that key per-EVM state) */
  evm: EVM
  /** runs `fn` once the call has succeeded and paid for its output (records kept outside the state) */
  afterSuccess(fn: () => void): void
}

export type Handler = (ctx: CallContext, args: readonly unknown[]) => Promise<unknown>

export interface MethodSpec {
  /** view: no writes; write: refused under STATICCALL; payable: write that takes OPEN */
  kind: 'view' | 'write' | 'payable'
  handler: Handler
  /**
   * The function takes one `bytes` argument, handed to the handler as a Uint8Array view of the
   * calldata instead of hex. A settlement batch is hundreds of kilobytes: decoding it through hex
   * and back cost ~10 µs a receipt.
   */
  bytesArgument?: true
}

export interface PrecompileSpec {
  name: string
  address: Address
  abi: Abi
  activation: Activation
  gas: GasSchedule
  methods: Record<string, MethodSpec>
}

/**
 * The `bytes` argument of a call to f(bytes), as a view: the offset word, at the offset a length
 * word, then that many bytes, all inside the calldata (what viem's decoder reads, without hex).
 */
function bytesArgumentOf(data: Uint8Array): Uint8Array {
  const args = data.subarray(4)
  const offset = smallWord(args, 0)
  const length = smallWord(args, offset)
  const start = offset + 32
  if (start + length > args.length) throw new Revert('MalformedInput')
  return args.subarray(start, start + length)
}

/** A word at `at` that must hold a length or offset inside the calldata. */
function smallWord(args: Uint8Array, at: number): number {
  if (at + 32 > args.length) throw new Revert('MalformedInput')
  for (let i = at; i < at + 28; i++) if (args[i] !== 0) throw new Revert('MalformedInput')
  return new DataView(args.buffer, args.byteOffset + at + 28, 4).getUint32(0)
}

export function definePrecompile(spec: PrecompileSpec): (input: PrecompileInput) => Promise<ExecResult> {
  const functions = spec.abi.filter((x): x is AbiFunction => x.type === 'function')
  for (const f of functions) {
    if (spec.methods[f.name] === undefined) throw new Error(`${spec.name}: no handler for ${f.name}`)
  }
  const known = new Set<string>(functions.map((f) => toFunctionSelector(f)))
  const bytesArgument = new Map<string, string>()
  for (const f of functions) {
    if (spec.methods[f.name].bytesArgument !== true) continue
    if (f.inputs.length !== 1 || f.inputs[0].type !== 'bytes') throw new Error(`${spec.name}: ${f.name} does not take one bytes argument`)
    bytesArgument.set(toFunctionSelector(f), f.name)
  }
  return async (input) => {
    const meter = new GasMeter(input.gasLimit, spec.gas)
    const evm = input._EVM as EVM
    const logs: Log[] = []
    try {
      meter.charge(meter.gas.base + meter.gas.inputWord * meter.words(input.data.length))
      const block = currentBlock(evm)
      if (!isActive(spec.activation, block)) return success(meter, new Uint8Array())
      const frame = currentFrame(evm)
      if (frame === undefined || frame.delegated) throw new Revert('DelegateCallNotAllowed')
      if (input.data.length < 4) throw new Revert('MalformedInput')
      const selector = hex(input.data.subarray(0, 4))
      let decoded: { functionName: string; args?: readonly unknown[] }
      const bytesFunction = bytesArgument.get(selector)
      if (bytesFunction !== undefined) {
        decoded = { functionName: bytesFunction, args: [bytesArgumentOf(input.data)] }
      } else {
        try {
          decoded = decodeFunctionData({ abi: spec.abi, data: hex(input.data) })
        } catch {
          throw known.has(selector) ? new Revert('MalformedInput') : new Revert('UnknownSelector', selector)
        }
      }
      const method = spec.methods[decoded.functionName]
      if (method.kind !== 'view' && frame.isStatic) throw new Revert('WriteInStaticCall')
      if (method.kind !== 'payable' && frame.value > 0n) throw new Revert('NotPayable')
      const state = evm.stateManager as unknown as StorageAccess
      const onSuccess: Array<() => void> = []
      const ctx: CallContext = {
        frame,
        block,
        store: new Store(state, spec.address, meter, method.kind === 'view'),
        meter,
        emit: (eventName, args) => logs.push(encodeLog(spec, meter, eventName, args)),
        pay: (to, amount) => pay(evm, meter, spec.address, to, amount),
        unmetered: new Store(state, spec.address, undefined, method.kind === 'view'),
        evm,
        afterSuccess: (fn) => onSuccess.push(fn),
      }
      const result = await method.handler(ctx, decoded.args ?? [])
      const out = bytes(encodeFunctionResult({ abi: spec.abi, functionName: decoded.functionName, result } as never))
      meter.charge(meter.gas.outputWord * meter.words(out.length))
      for (const fn of onSuccess) fn()
      return { ...success(meter, out), logs }
    } catch (err) {
      if (err instanceof OutOfGas) {
        return { executionGasUsed: input.gasLimit, returnValue: new Uint8Array(), exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) }
      }
      if (err instanceof Revert) {
        const data = bytes(encodeErrorResult({ abi: spec.abi, errorName: err.errorName, args: err.args } as never))
        return { executionGasUsed: meter.used > input.gasLimit ? input.gasLimit : meter.used, returnValue: data, exceptionError: new EVMError(EVMError.errorMessages.REVERT) }
      }
      throw err
    }
  }
}

function success(meter: GasMeter, returnValue: Uint8Array): ExecResult {
  return { executionGasUsed: meter.used, returnValue }
}

function isActive(a: Activation, block: BlockInfo): boolean {
  return (a.block === undefined || block.number >= a.block) && (a.timestamp === undefined || block.timestamp >= a.timestamp)
}

function encodeLog(spec: PrecompileSpec, meter: GasMeter, eventName: string, args: Record<string, unknown>): Log {
  const event = spec.abi.find((x): x is AbiEvent => x.type === 'event' && x.name === eventName)
  if (event === undefined) throw new Error(`${spec.name}: no event ${eventName}`)
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as `0x${string}`[]
  const dataInputs = event.inputs.filter((i) => i.indexed !== true)
  const data = bytes(encodeAbiParameters(dataInputs, dataInputs.map((i) => args[i.name as string])))
  meter.charge(meter.gas.log + meter.gas.logTopic * BigInt(topics.length) + meter.gas.logByte * BigInt(data.length))
  return [spec.address.bytes, topics.map(bytes), data]
}

async function pay(evm: EVM, meter: GasMeter, from: Address, to: Address, amount: bigint): Promise<void> {
  if (amount === 0n) return
  meter.charge(meter.gas.transfer)
  const source = (await evm.stateManager.getAccount(from)) ?? new Account()
  if (source.balance < amount) throw new Error(`precompile ${from} holds ${source.balance}, cannot pay ${amount}`)
  source.balance -= amount
  await evm.journal.putAccount(from, source)
  const target = (await evm.stateManager.getAccount(to)) ?? new Account()
  target.balance += amount
  await evm.journal.putAccount(to, target)
}
