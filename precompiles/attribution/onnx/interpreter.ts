// The reference interpreter of scoring graphs: the consensus meaning of a registered graph. It
// decodes a graph once (compileGraph), checks every node against the ONNX type constraints of
// its opset and the attribute forms it implements, and runs it on integer tensors with the exact
// semantics of each operation on the integer-exact whitelist (validate.ts). Whatever it does not
// implement exactly it refuses with a GraphError instead of guessing.
//
// A run is bounded by work (multiply-adds and elements written, reduced or ranked) and by the bytes
// of the tensors alive at once, both counted from shapes before anything is computed or allocated:
// a graph that would exceed them stops with the same GraphError on every node.
import type { OnnxNs } from './proto.ts'
import { ELEMENTWISE_OPS } from './ops/elementwise.ts'
import { MATMUL_INTEGER } from './ops/matmulInteger.ts'
import { Attributes } from './ops/op.ts'
import type { Kernel, OpDefinition, RunBudget } from './ops/op.ts'
import { REDUCE_OPS } from './ops/reduce.ts'
import { SHAPE_OPS } from './ops/shape.ts'
import { MAX_DIM, MAX_LIVE_BYTES, MAX_RANK, MAX_WORK, admittedSize } from './limits.ts'
import { GraphError, INTEGER_TYPES, elementBytes, long, makeData, tensorFromProto, typeName } from './tensor.ts'
import type { Tensor } from './tensor.ts'
import { decodeModel } from './wire.ts'

/** Every operation of the whitelist, as this interpreter runs it. */
export const INTERPRETED_OPS: Readonly<Record<string, OpDefinition>> = { ...ELEMENTWISE_OPS, MatMulInteger: MATMUL_INTEGER, ...REDUCE_OPS, ...SHAPE_OPS }

/**
 * Opsets whose semantics of these operations are implemented: from 11 (integer TopK, negative axes)
 * to 21 (later opsets only add element types, but are refused until checked).
 */
export const MIN_OPSET = 11
export const MAX_OPSET = 21

export interface ValueInfo {
  type: number
  /** declared dimensions (undefined: symbolic or unknown); undefined when no shape is declared */
  dims: Array<number | undefined> | undefined
}

export interface RunLimits {
  /** multiply-adds plus elements written, reduced or ranked */
  maxWork: number
  /** bytes of node outputs alive at once (inputs and initializers are not counted) */
  maxLiveBytes: number
}

/** No bound of the caller's own: the absolute ones (limits.ts) still hold. */
const UNLIMITED: RunLimits = { maxWork: MAX_WORK, maxLiveBytes: MAX_LIVE_BYTES }

interface Step {
  label: string
  kernel: Kernel
  inputs: string[]
  outputs: string[]
  /** tensors whose last reader this step is (or that nobody reads), dropped after it */
  release: string[]
}

export class CompiledGraph {
  readonly opset: number
  /** number of nodes: what a run may cost grows with it */
  readonly nodes: number
  readonly inputs: ReadonlyMap<string, ValueInfo>
  readonly outputs: ReadonlyMap<string, ValueInfo>
  readonly #constants: ReadonlyMap<string, Tensor>
  readonly #steps: readonly Step[]

  constructor(opset: number, inputs: Map<string, ValueInfo>, outputs: Map<string, ValueInfo>, constants: Map<string, Tensor>, steps: Step[]) {
    this.opset = opset
    this.nodes = steps.length
    this.inputs = inputs
    this.outputs = outputs
    this.#constants = constants
    this.#steps = steps
  }

  /** Whether `name` has a value without being fed (an initializer). */
  hasInitializer(name: string): boolean {
    return this.#constants.has(name)
  }

  /** Runs the graph on `feeds` (one per graph input without an initializer); returns every graph output. */
  run(feeds: Readonly<Record<string, Tensor>>, limits: RunLimits = UNLIMITED, spent?: { work: number }): Record<string, Tensor> {
    const env = new Map<string, Tensor>(this.#constants)
    for (const name of Object.keys(feeds)) if (!this.inputs.has(name)) throw new GraphError(`the graph has no input ${name}`)
    for (const [name, info] of this.inputs) {
      const t = feeds[name]
      if (t === undefined) {
        if (!env.has(name)) throw new GraphError(`input ${name} is not given`)
        continue
      }
      if (t.type !== info.type) throw new GraphError(`input ${name} is declared ${typeName(info.type)} but given ${typeName(t.type)}`)
      if (info.dims !== undefined && (info.dims.length !== t.dims.length || info.dims.some((d, i) => d !== undefined && d !== t.dims[i]))) {
        throw new GraphError(`input ${name} is declared [${info.dims.map((d) => d ?? '?').join(',')}] but given [${t.dims.join(',')}]`)
      }
      env.set(name, t)
    }
    const budget = new Budget(limits)
    for (const step of this.#steps) {
      const args = step.inputs.map((name) => (name === '' ? undefined : (env.get(name) as Tensor)))
      const results = step.kernel(args, budget)
      budget.endNode()
      step.outputs.forEach((name, i) => {
        if (name !== '') env.set(name, results[i])
      })
      for (const name of step.release) {
        budget.release(env.get(name) as Tensor)
        env.delete(name)
      }
    }
    if (spent !== undefined) spent.work = budget.spent
    const out: Record<string, Tensor> = {}
    for (const name of this.outputs.keys()) out[name] = env.get(name) as Tensor
    return out
  }
}

class Budget implements RunBudget {
  readonly #maxWork: number
  readonly #maxLive: number
  readonly #counted = new WeakMap<Tensor, number>()
  #work = 0
  #live = 0
  #scratch = 0

  constructor(limits: RunLimits) {
    // whatever the caller allows, never beyond what every validator must be able to do
    this.#maxWork = Math.min(limits.maxWork, MAX_WORK)
    this.#maxLive = Math.min(limits.maxLiveBytes, MAX_LIVE_BYTES)
  }

  get spent(): number {
    return this.#work
  }

  work(units: number): void {
    // NaN-safe: a count no kernel should produce still stops the run rather than slip past the bound
    this.#work += units
    if (!(units >= 0 && this.#work <= this.#maxWork)) throw new GraphError(`the graph needs more than ${this.#maxWork} units of work on this input`)
  }

  alloc(type: number, dims: readonly number[]): Tensor {
    const n = this.#admit(type, dims)
    this.work(n)
    const t: Tensor = { type, dims: [...dims], data: makeData(type, n) }
    this.#counted.set(t, n * elementBytes(type))
    return t
  }

  view(t: Tensor, dims: readonly number[]): Tensor {
    const n = this.#admit(t.type, dims)
    if (n !== t.data.length) throw new GraphError(`a view of ${t.data.length} elements as [${dims.join(',')}]`)
    const v: Tensor = { type: t.type, dims: [...dims], data: t.data }
    this.#counted.set(v, n * elementBytes(t.type))
    return v
  }

  scratch(bytes: number): void {
    this.#reserve(bytes)
    this.#scratch += bytes
  }

  /** A node has ended: its scratch buffers are garbage. */
  endNode(): void {
    this.#live -= this.#scratch
    this.#scratch = 0
  }

  release(t: Tensor): void {
    this.#live -= this.#counted.get(t) ?? 0
    this.#counted.delete(t)
  }

  /** Counts a new tensor's bytes as live, refusing its shape or its bytes beyond the limits before anything is allocated. */
  #admit(type: number, dims: readonly number[]): number {
    const n = admittedSize(dims, this.#maxWork, 'a tensor')
    this.#reserve(n * elementBytes(type))
    return n
  }

  #reserve(bytes: number): void {
    if (!(bytes >= 0 && this.#live + bytes <= this.#maxLive)) {
      throw new GraphError(`the graph needs more than ${this.#maxLive} bytes of tensors at once on this input`)
    }
    this.#live += bytes
  }
}

function valueInfo(v: OnnxNs.IValueInfoProto, what: string): ValueInfo {
  const tensor = v.type?.tensorType
  const type = tensor?.elemType
  if (tensor === null || tensor === undefined || type === null || type === undefined) throw new GraphError(`${what} ${v.name} is not a tensor of a declared type`)
  if (!INTEGER_TYPES.has(type)) throw new GraphError(`${what} ${v.name} is of a non-integer type (${typeName(type)})`)
  const shape = tensor.shape
  const declared = shape === null || shape === undefined ? undefined : (shape.dim ?? [])
  if (declared !== undefined && declared.length > MAX_RANK) throw new GraphError(`${what} ${v.name} has rank ${declared.length}, beyond ${MAX_RANK}`)
  const dims = declared?.map((d) => {
    if (d.dimValue === null || d.dimValue === undefined) return undefined
    const value = long(d.dimValue)
    if (value < 0n || value > BigInt(MAX_DIM)) throw new GraphError(`${what} ${v.name} has dimension ${value}, not within [0, ${MAX_DIM}]`)
    return Number(value)
  })
  // the extent of the known dimensions, as any tensor's (limits.ts)
  if (dims !== undefined) admittedSize(dims.map((d) => d ?? 1), MAX_WORK, `${what} ${v.name}`)
  return { type, dims }
}

/** The graph decoded and checked once; throws GraphError naming what it cannot run. */
export function compileGraph(bytes: Uint8Array): CompiledGraph {
  return compileModel(decodeModel(bytes, (message) => new GraphError(message)))
}

/** compileGraph for a model already decoded (by decodeModel). */
export function compileModel(model: OnnxNs.ModelProto): CompiledGraph {
  const graph = model.graph
  if (graph === null || graph === undefined) throw new GraphError('the model has no graph')
  const imports = (model.opsetImport ?? []).filter((o) => o.domain === '' || o.domain === 'ai.onnx' || o.domain === null || o.domain === undefined)
  if (imports.length !== 1) throw new GraphError('the model must import the ONNX operator set once')
  const opset = Number(long(imports[0].version))
  if (opset < MIN_OPSET || opset > MAX_OPSET) throw new GraphError(`opset ${opset} is not one this interpreter implements (${MIN_OPSET}–${MAX_OPSET})`)
  if ((graph.sparseInitializer?.length ?? 0) > 0) throw new GraphError('sparse initializers are not supported')

  const types = new Map<string, number>()
  const constants = new Map<string, Tensor>()
  for (const init of graph.initializer ?? []) {
    const t = tensorFromProto(init)
    const name = init.name ?? ''
    if (constants.has(name)) throw new GraphError(`initializer ${name} is defined twice`)
    constants.set(name, t)
    types.set(name, t.type)
  }
  const inputs = new Map<string, ValueInfo>()
  for (const v of graph.input ?? []) {
    const name = v.name ?? ''
    const info = valueInfo(v, 'input')
    if (inputs.has(name)) throw new GraphError(`input ${name} is declared twice`)
    const init = constants.get(name)
    if (init !== undefined && init.type !== info.type) throw new GraphError(`input ${name} is declared ${typeName(info.type)} but its initializer is ${typeName(init.type)}`)
    inputs.set(name, info)
    types.set(name, info.type)
  }

  const steps: Step[] = []
  for (const node of graph.node ?? []) steps.push(compileNode(node, opset, types))

  const outputs = new Map<string, ValueInfo>()
  for (const v of graph.output ?? []) {
    const name = v.name ?? ''
    const info = valueInfo(v, 'output')
    const computed = types.get(name)
    if (computed === undefined) throw new GraphError(`output ${name} is never computed`)
    if (computed !== info.type) throw new GraphError(`output ${name} is declared ${typeName(info.type)} but computed as ${typeName(computed)}`)
    outputs.set(name, info)
  }

  // each intermediate tensor is dropped after its last reader
  const lastUse = new Map<string, number>()
  steps.forEach((s, i) => {
    for (const name of s.outputs) if (name !== '') lastUse.set(name, i)
    for (const name of s.inputs) if (lastUse.has(name)) lastUse.set(name, i)
  })
  for (const [name, at] of lastUse) if (!outputs.has(name)) steps[at].release.push(name)
  return new CompiledGraph(opset, inputs, outputs, constants, steps)
}

function compileNode(node: OnnxNs.INodeProto, opset: number, types: Map<string, number>): Step {
  const opType = node.opType ?? ''
  const label = `${opType} ${node.name ?? ''}`.trim()
  if (node.domain !== '' && node.domain !== 'ai.onnx' && node.domain !== null && node.domain !== undefined) throw new GraphError(`operation ${opType} from domain ${node.domain} is not supported`)
  const def = Object.hasOwn(INTERPRETED_OPS, opType) ? INTERPRETED_OPS[opType] : undefined
  if (def === undefined) throw new GraphError(`operation ${opType} is not one this interpreter runs`)
  if (opset < def.since) throw new GraphError(`${label}: opset ${opset} is before the form this interpreter implements (${def.since})`)
  const inputNames = [...(node.input ?? [])]
  const outputNames = [...(node.output ?? [])]
  if (inputNames.length < def.inputs.required || inputNames.length > def.inputs.max) throw new GraphError(`${label} takes ${def.inputs.required}${def.inputs.max === def.inputs.required ? '' : ` to ${def.inputs.max}`} inputs, not ${inputNames.length}`)
  if (outputNames.length < def.outputs.required || outputNames.length > def.outputs.max) throw new GraphError(`${label} gives ${def.outputs.required} outputs, not ${outputNames.length}`)
  const inputTypes = inputNames.map((name, i) => {
    if (name === '') {
      if (i < def.inputs.required) throw new GraphError(`${label}: input ${i} is required`)
      return undefined
    }
    const t = types.get(name)
    if (t === undefined) throw new GraphError(`${label} reads ${name} before any node or input defines it`)
    return t
  })
  const attrs = new Attributes(node.attribute ?? [], label, def.attributes(opset))
  const { outputTypes, kernel } = def.compile({ label, opset, attrs, inputTypes })
  outputNames.forEach((name, i) => {
    if (name === '') {
      if (i < def.outputs.required) throw new GraphError(`${label}: output ${i} is required`)
      return
    }
    if (types.has(name)) throw new GraphError(`${label} defines ${name}, which is already defined`)
    types.set(name, outputTypes[i])
  })
  return { label, kernel, inputs: inputNames, outputs: outputNames, release: [] }
}
