// Who is calling a precompile, with what value, and whether the call may write. @ethereumjs hands a
// precompile only its input data; the EVM announces every message (call frame) just before running
// it, so the frame of a running precompile is the last one announced on its EVM.
import type { EVM } from '@ethereumjs/evm'
import type { Address } from '@ethereumjs/util'

export interface CallFrame {
  caller: Address
  to: Address | undefined
  codeAddress: Address | undefined
  value: bigint
  isStatic: boolean
  /** DELEGATECALL or CALLCODE: the code runs in someone else's context */
  delegated: boolean
  depth: number
}

interface MessageLike {
  caller: Address
  to?: Address
  _codeAddress?: Address
  value: bigint
  isStatic: boolean
  delegatecall: boolean
  depth: number
}

const frames = new WeakMap<object, CallFrame[]>()

/** Keeps the frame stack of this EVM instance; idempotent. */
export function trackFrames(evm: EVM): void {
  if (frames.has(evm)) return
  const stack: CallFrame[] = []
  frames.set(evm, stack)
  // one-argument listeners are called synchronously by the EVM (two-argument ones cost a promise each)
  evm.events.on('beforeMessage', (m: MessageLike) => {
    // a frame at depth d replaces whatever was at d and above (frames that ended by an exception)
    stack.length = Math.min(stack.length, m.depth)
    stack.push({
      caller: m.caller,
      to: m.to,
      codeAddress: m._codeAddress ?? m.to,
      value: m.value,
      isStatic: m.isStatic,
      delegated: m.delegatecall || (m._codeAddress !== undefined && m.to !== undefined && !m._codeAddress.equals(m.to)),
      depth: m.depth,
    })
  })
  evm.events.on('afterMessage', () => {
    stack.pop()
  })
}

/** The frame of the precompile now running on `evm`. */
export function currentFrame(evm: object): CallFrame | undefined {
  const stack = frames.get(evm)
  return stack === undefined ? undefined : stack[stack.length - 1]
}

export interface BlockInfo {
  number: bigint
  timestamp: bigint
}

/** The block the EVM is executing in (set by runCall/runTx). */
export function currentBlock(evm: object): BlockInfo {
  const block = (evm as { _block?: { header: { number: bigint; timestamp: bigint } } })._block
  return { number: block?.header.number ?? 0n, timestamp: block?.header.timestamp ?? 0n }
}
