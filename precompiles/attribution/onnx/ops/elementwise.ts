// Add, Sub, Mul, Max, Min and Cast on integer tensors. Arithmetic wraps around in the element
// type, as ONNX runtimes compute it (two's complement, the C behaviour): every intermediate here is
// exact — sums of two 32-bit values and products of 16-bit ones stay below 2⁵³, 32-bit products
// go through Math.imul, 64-bit ones through BigInt — and the typed array's store keeps the low bits.
import { DT, GraphError, broadcastDims, broadcastStrides, forEachRow, isBig, size } from '../tensor.ts'
import type { BigData, NumberData, Tensor } from '../tensor.ts'
import * as cost from './cost.ts'
import { required, sameType } from './op.ts'
import type { OpDefinition, RunBudget } from './op.ts'

const NUMERIC = new Set<number>([DT.UINT8, DT.INT8, DT.UINT16, DT.INT16, DT.UINT32, DT.INT32, DT.UINT64, DT.INT64])
/** Add, Sub and Mul before opset 14 took no 8- or 16-bit integers */
const WIDE = new Set<number>([DT.UINT32, DT.INT32, DT.UINT64, DT.INT64])
const IMUL = new Set<number>([DT.UINT32, DT.INT32])

type Combine = 'Add' | 'Sub' | 'Mul' | 'Max' | 'Min'

/** Folds the inputs left to right into a tensor of their broadcast shape, row by row. */
function fold(op: Combine, label: string, type: number, inputs: readonly Tensor[], budget: RunBudget): Tensor {
  const dims = broadcastDims(inputs.map((t) => t.dims), label)
  const out = budget.alloc(type, dims)
  const total = size(dims)
  const n = dims.length === 0 ? 1 : dims[dims.length - 1]
  if (total === 0) return out
  // each input set up, every element combined once per input, every row walked once per input
  budget.work(inputs.length * (cost.INPUT + total * cost.element(type) + cost.rowWalk(dims, total)))
  const st = inputs.map((t) => broadcastStrides(t.dims, dims))
  const inner = st.map((s) => (dims.length === 0 ? 0 : s[dims.length - 1]))
  const imul = IMUL.has(type)
  forEachRow(dims, st, (o, offs) => {
    if (isBig(out.data)) {
      const od = out.data
      let at = offs[0]
      const a = inputs[0].data as BigData
      for (let i = 0; i < n; i++, at += inner[0]) od[o + i] = a[at]
      for (let j = 1; j < inputs.length; j++) combineBig(op, od, o, n, inputs[j].data as BigData, offs[j], inner[j])
    } else {
      const od = out.data as NumberData
      let at = offs[0]
      const a = inputs[0].data as NumberData
      for (let i = 0; i < n; i++, at += inner[0]) od[o + i] = a[at]
      for (let j = 1; j < inputs.length; j++) combineNumber(op, od, o, n, inputs[j].data as NumberData, offs[j], inner[j], imul)
    }
  })
  return out
}

// Two copies of the same loops, for number and for bigint elements: one generic loop over both
// would make every element operation polymorphic (V8 deoptimises it), and MatMulInteger's inputs
// pass through these ops in most graphs.
function combineNumber(op: Combine, od: NumberData, o: number, n: number, b: NumberData, at: number, step: number, imul: boolean): void {
  switch (op) {
    case 'Add':
      for (let i = 0; i < n; i++, at += step) od[o + i] = od[o + i] + b[at]
      return
    case 'Sub':
      for (let i = 0; i < n; i++, at += step) od[o + i] = od[o + i] - b[at]
      return
    case 'Mul':
      if (imul) for (let i = 0; i < n; i++, at += step) od[o + i] = Math.imul(od[o + i], b[at])
      else for (let i = 0; i < n; i++, at += step) od[o + i] = od[o + i] * b[at]
      return
    case 'Max':
      for (let i = 0; i < n; i++, at += step) if (b[at] > od[o + i]) od[o + i] = b[at]
      return
    case 'Min':
      for (let i = 0; i < n; i++, at += step) if (b[at] < od[o + i]) od[o + i] = b[at]
  }
}

function combineBig(op: Combine, od: BigData, o: number, n: number, b: BigData, at: number, step: number): void {
  switch (op) {
    case 'Add':
      for (let i = 0; i < n; i++, at += step) od[o + i] = od[o + i] + b[at]
      return
    case 'Sub':
      for (let i = 0; i < n; i++, at += step) od[o + i] = od[o + i] - b[at]
      return
    case 'Mul':
      for (let i = 0; i < n; i++, at += step) od[o + i] = od[o + i] * b[at]
      return
    case 'Max':
      for (let i = 0; i < n; i++, at += step) if (b[at] > od[o + i]) od[o + i] = b[at]
      return
    case 'Min':
      for (let i = 0; i < n; i++, at += step) if (b[at] < od[o + i]) od[o + i] = b[at]
  }
}

function arithmetic(op: 'Add' | 'Sub' | 'Mul'): OpDefinition {
  return {
    since: 7,
    attributes: () => [],
    inputs: { required: 2, max: 2 },
    outputs: { required: 1, max: 1 },
    compile(node) {
      const type = sameType(node, [0, 1], node.opset >= 14 ? NUMERIC : WIDE)
      return { outputTypes: [type], kernel: ([a, b], budget) => [fold(op, node.label, type, [a as Tensor, b as Tensor], budget)] }
    },
  }
}

function extremum(op: 'Max' | 'Min'): OpDefinition {
  return {
    // integer types from opset 12; before, Max and Min took floating point only
    since: 12,
    attributes: () => [],
    inputs: { required: 1, max: Infinity },
    outputs: { required: 1, max: 1 },
    compile(node) {
      const type = sameType(node, node.inputTypes.map((_, i) => i), NUMERIC)
      return {
        outputTypes: [type],
        kernel: (inputs, budget) => [fold(op, node.label, type, inputs.map((t) => required(t, node.label, 'every input')), budget)],
      }
    },
  }
}

const cast: OpDefinition = {
  since: 6,
  // saturate (opset 19) concerns float8 targets only
  attributes: (opset) => (opset >= 19 ? ['to', 'saturate'] : ['to']),
  inputs: { required: 1, max: 1 },
  outputs: { required: 1, max: 1 },
  compile(node) {
    const to = Number(required(node.attrs.int('to'), node.label, 'attribute to'))
    const from = node.inputTypes[0] as number
    if (!NUMERIC.has(to) && to !== DT.BOOL) throw new GraphError(`${node.label} casts to a non-integer type`)
    if (!NUMERIC.has(from) && from !== DT.BOOL) throw new GraphError(`${node.label} casts from a non-integer type`)
    return { outputTypes: [to], kernel: ([x], budget) => [castTo(x as Tensor, to, budget)] }
  },
}

/** Integer casts as C performs them: the value modulo the target width (sign-extended from a signed source); to BOOL, nonzero is 1. */
function castTo(x: Tensor, to: number, budget: RunBudget): Tensor {
  const out = budget.alloc(to, x.dims)
  // between a 64-bit type and a narrower one each element goes through BigInt() or BigInt.asUintN and Number
  budget.work(x.data.length * (isBig(x.data) !== isBig(out.data) ? cost.BIG_CONVERT : cost.element(to)))
  const src = x.data
  const dst = out.data
  const n = src.length
  if (to === DT.BOOL) {
    const d = dst as Uint8Array
    for (let i = 0; i < n; i++) d[i] = src[i] ? 1 : 0
  } else if (isBig(dst)) {
    if (isBig(src)) for (let i = 0; i < n; i++) dst[i] = src[i]
    else for (let i = 0; i < n; i++) dst[i] = BigInt(src[i])
  } else if (isBig(src)) {
    // the low 32 bits are exact as a number; the target array wraps them to its width
    for (let i = 0; i < n; i++) dst[i] = Number(BigInt.asUintN(32, src[i]))
  } else {
    for (let i = 0; i < n; i++) dst[i] = src[i]
  }
  return out
}

export const ELEMENTWISE_OPS: Record<string, OpDefinition> = {
  Add: arithmetic('Add'),
  Sub: arithmetic('Sub'),
  Mul: arithmetic('Mul'),
  Max: extremum('Max'),
  Min: extremum('Min'),
  Cast: cast,
}
