// Admission of a scoring graph: only integer-exact operations on integer tensors, so every machine
// computes the same bits. Element types are propagated through the graph, so a tensor cannot
// become a float, or a MatMulInteger operand int8, by way of an innocent-looking op. Anything
// else is refused with the name of what offends.
import { onnx } from './proto.ts'
import type { OnnxNs } from './proto.ts'
import { decodeModel } from './wire.ts'

const T = onnx.TensorProto.DataType
const INTEGER_TYPES = new Set<number>([T.UINT8, T.INT8, T.UINT16, T.INT16, T.INT32, T.INT64, T.UINT32, T.UINT64, T.BOOL])

/** Operations with exact integer results, as the reference interpreter (interpreter.ts) computes them: the consensus meaning of a registered graph. */
export const OP_WHITELIST = new Set([
  'MatMulInteger', 'Cast', 'Add', 'Sub', 'Mul', 'Max', 'Min', 'ReduceSum', 'TopK',
  'Reshape', 'Transpose', 'Unsqueeze', 'Squeeze', 'Identity', 'Concat', 'Slice', 'Gather', 'Shape',
])

export class GraphRejected extends Error {}

const typeName = (t: number) => T[t] ?? String(t)

export function validateScoringGraph(bytes: Uint8Array): void {
  // scanned before protobufjs sees the bytes: its recursive decoding must never meet a nesting that depends on the stack
  validateScoringModel(decodeModel(bytes, (message) => new GraphRejected(message)))
}

/** The checks of validateScoringGraph on a model already decoded (by decodeModel). */
export function validateScoringModel(model: OnnxNs.ModelProto): void {
  if (model.graph === null || model.graph === undefined) throw new GraphRejected('the model has no graph')
  const graph = model.graph as OnnxNs.GraphProto

  // the element type of every tensor, as the graph computes it
  const types = new Map<string, number>()
  const define = (name: string, type: number, what: string) => {
    if (!INTEGER_TYPES.has(type)) throw new GraphRejected(`${what} ${name} is of a non-integer type (${typeName(type)})`)
    types.set(name, type)
  }
  for (const init of graph.initializer) define(init.name ?? '', init.dataType ?? 0, 'initializer')
  for (const input of graph.input) {
    const t = input.type?.tensorType?.elemType
    if (t === undefined || t === null) throw new GraphRejected(`input ${input.name} is not a tensor of a declared type`)
    define(input.name ?? '', t, 'tensor')
  }
  for (const node of graph.node) {
    const label = `${node.opType} ${node.name ?? ''}`.trim()
    if (node.domain !== '' && node.domain !== null && node.domain !== undefined) throw new GraphRejected(`operation ${node.opType} from domain ${node.domain} is not allowed`)
    if (!OP_WHITELIST.has(node.opType ?? '')) throw new GraphRejected(`operation ${node.opType} is not on the integer-exact whitelist`)
    const inputs = (node.input ?? []).map((name) => {
      if (name === '') return undefined // an omitted optional input
      const t = types.get(name)
      if (t === undefined) throw new GraphRejected(`${label} reads ${name} before any node or input defines it`)
      return t
    })
    const first = inputs[0]
    if (first === undefined) throw new GraphRejected(`${label} has no first input`)
    for (const [i, out] of (node.output ?? []).entries()) {
      if (out === '') continue
      define(out, outputType(node, label, inputs, i), 'tensor')
    }
  }

  // declared types must agree with the computed ones
  for (const v of [...graph.output, ...graph.valueInfo]) {
    const declared = v.type?.tensorType?.elemType
    const computed = types.get(v.name ?? '')
    if (computed === undefined) throw new GraphRejected(`tensor ${v.name} is declared but never computed`)
    if (declared !== undefined && declared !== null && declared !== computed) {
      throw new GraphRejected(`tensor ${v.name} is declared ${typeName(declared)} but computed as ${typeName(computed)}`)
    }
  }
  const inputs = new Set(graph.input.map((i) => i.name))
  for (const name of ['query', 'candidates', 'k']) if (!inputs.has(name)) throw new GraphRejected(`a scoring graph takes the input ${name}`)
  for (const name of ['scores', 'indices']) if (!graph.output.some((o) => o.name === name)) throw new GraphRejected(`a scoring graph gives the output ${name}`)
}

/** The element type of output `i` of a whitelisted node, given its inputs' types. */
function outputType(node: OnnxNs.INodeProto, label: string, inputs: Array<number | undefined>, i: number): number {
  switch (node.opType) {
    case 'Cast': {
      const to = (node.attribute ?? []).find((a) => a.name === 'to')?.i
      if (to === undefined || to === null || !INTEGER_TYPES.has(Number(to))) throw new GraphRejected(`${label} casts to a non-integer type`)
      return Number(to)
    }
    case 'MatMulInteger': {
      // uint8 × int8 saturates int16 sums on x86 CPUs without VNNI: different validators, different bits
      for (const [operand, at] of [['A', 0], ['B', 1], ['a_zero_point', 2], ['b_zero_point', 3]] as const) {
        const t = inputs[at]
        if (t !== undefined && t !== T.UINT8) {
          throw new GraphRejected(`${label}: operand ${operand} (${(node.input ?? [])[at]}) is ${typeName(t)}; only uint8 × uint8 is exact on every CPU`)
        }
      }
      if (inputs[1] === undefined) throw new GraphRejected(`${label} has no operand B`)
      return T.INT32
    }
    case 'Shape':
      return T.INT64
    case 'TopK':
      return i === 1 ? T.INT64 : (inputs[0] as number)
    default:
      return inputs[0] as number
  }
}
