// What an operation of the reference interpreter is made of: the opsets whose semantics it
// implements, its attributes and input arity, a compile step that checks element types against
// the ONNX type constraints (and fixes the output types), and a kernel that runs on tensors
// within a budget of work and memory.
import { onnx } from '../proto.ts'
import type { OnnxNs } from '../proto.ts'
import { GraphError, long, typeName } from '../tensor.ts'
import type { Tensor } from '../tensor.ts'

/** What one run may spend. Both limits are counted from shapes, so every node stops at the same place. */
export interface RunBudget {
  /** charges work units (multiply-adds, elements read or written) */
  work(units: number): void
  /** a new tensor, counted as live memory until its last reader has run */
  alloc(type: number, dims: readonly number[]): Tensor
  /** `t`'s data under other dims, never copied (tensors are not written after their node) */
  view(t: Tensor, dims: readonly number[]): Tensor
  /** a kernel's scratch buffers of `bytes` in all, counted as live until the node ends (call before allocating them) */
  scratch(bytes: number): void
}

export type Kernel = (inputs: ReadonlyArray<Tensor | undefined>, budget: RunBudget) => Tensor[]

export interface NodeInfo {
  /** "OpType name", for messages */
  label: string
  opset: number
  attrs: Attributes
  /** element types of the inputs; undefined for an omitted optional input */
  inputTypes: ReadonlyArray<number | undefined>
}

export interface OpDefinition {
  /** the first opset whose semantics for integer tensors this interpreter implements */
  since: number
  /** attribute names allowed at this opset */
  attributes(opset: number): readonly string[]
  /** inputs required first, then optional ones (Infinity for variadic) */
  inputs: { required: number; max: number }
  outputs: { required: number; max: number }
  compile(node: NodeInfo): { outputTypes: number[]; kernel: Kernel }
}

const A = onnx.AttributeProto.AttributeType

/** A node's attributes, refused if unknown to the operation or of the wrong kind. */
export class Attributes {
  readonly #label: string
  readonly #byName = new Map<string, OnnxNs.IAttributeProto>()

  constructor(list: readonly OnnxNs.IAttributeProto[], label: string, allowed: readonly string[]) {
    this.#label = label
    for (const a of list) {
      const name = a.name ?? ''
      if (a.refAttrName !== null && a.refAttrName !== undefined && a.refAttrName !== '') throw new GraphError(`${label}: attribute ${name} refers to a function attribute`)
      if (!allowed.includes(name)) throw new GraphError(`${label}: attribute ${name} is not one this interpreter implements for the operation at this opset`)
      if (this.#byName.has(name)) throw new GraphError(`${label}: attribute ${name} is given twice`)
      this.#byName.set(name, a)
    }
  }

  has(name: string): boolean {
    return this.#byName.has(name)
  }

  int(name: string, fallback: bigint): bigint
  int(name: string): bigint | undefined
  int(name: string, fallback?: bigint): bigint | undefined {
    const a = this.#byName.get(name)
    if (a === undefined) return fallback
    if (a.type !== A.INT) throw new GraphError(`${this.#label}: attribute ${name} must be an integer`)
    return long(a.i)
  }

  ints(name: string): bigint[] | undefined {
    const a = this.#byName.get(name)
    if (a === undefined) return undefined
    if (a.type !== A.INTS) throw new GraphError(`${this.#label}: attribute ${name} must be a list of integers`)
    return (a.ints ?? []).map(long)
  }
}

/** The one type all the listed inputs share, which must be in `allowed`. */
export function sameType(node: NodeInfo, at: readonly number[], allowed: ReadonlySet<number>, what = 'input'): number {
  const first = node.inputTypes[at[0]] as number
  for (const i of at) {
    const t = node.inputTypes[i]
    if (t === undefined) continue
    if (t !== first) throw new GraphError(`${node.label}: ${what}s of different types (${typeName(first)}, ${typeName(t)})`)
  }
  if (!allowed.has(first)) throw new GraphError(`${node.label}: ${what} of type ${typeName(first)} is not allowed at opset ${node.opset}`)
  return first
}

/** An axis in [-rank, rank) (negative counts from the end), normalised. */
export function axisIn(axis: bigint | number, rank: number, label: string): number {
  const a = Number(axis)
  if (!Number.isSafeInteger(a) || a < -rank || a >= rank) throw new GraphError(`${label}: axis ${axis} is out of range for rank ${rank}`)
  return a < 0 ? a + rank : a
}

/** Distinct normalised axes. */
export function axesIn(axes: ReadonlyArray<bigint | number>, rank: number, label: string): number[] {
  const out = axes.map((a) => axisIn(a, rank, label))
  if (new Set(out).size !== out.length) throw new GraphError(`${label}: axes [${axes.join(',')}] repeat an axis`)
  return out
}

export function required<T>(v: T | undefined, label: string, what: string): T {
  if (v === undefined) throw new GraphError(`${label}: ${what} is required`)
  return v
}
