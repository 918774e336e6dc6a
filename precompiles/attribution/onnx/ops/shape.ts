// Operations that move elements without computing on them: Reshape, Transpose, Unsqueeze, Squeeze,
// Identity, Concat, Slice, Gather, Shape. They take every element type; index-like inputs (shape,
// axes, starts, ends, steps, indices) are read exactly as integers.
import { DT, GraphError, bigints, gatherStrided, isBig, safeInts, size, strides } from '../tensor.ts'
import type { BigData, NumberData, Tensor } from '../tensor.ts'
import { MAX_RANK } from '../limits.ts'
import * as cost from './cost.ts'
import { axesIn, axisIn, required, sameType } from './op.ts'
import type { NodeInfo, OpDefinition, RunBudget } from './op.ts'

const ANY = new Set<number>([DT.UINT8, DT.INT8, DT.UINT16, DT.INT16, DT.UINT32, DT.INT32, DT.UINT64, DT.INT64, DT.BOOL])
const INDEX = new Set<number>([DT.INT32, DT.INT64])

function indexInput(node: NodeInfo, at: number, allowed: ReadonlySet<number>, what: string): void {
  const t = node.inputTypes[at]
  if (t !== undefined && !allowed.has(t)) throw new GraphError(`${node.label}: ${what} must be ${[...allowed].map((x) => (x === DT.INT32 ? 'int32' : 'int64')).join(' or ')}`)
}

function reshape(label: string, x: Tensor, shape: Tensor, allowzero: boolean, budget: RunBudget): Tensor {
  if (shape.dims.length !== 1) throw new GraphError(`${label}: the shape must be 1-D`)
  const want = safeInts(shape, MAX_RANK, label)
  if (allowzero && want.includes(0) && want.includes(-1)) throw new GraphError(`${label}: with allowzero, a shape cannot hold both 0 and -1`)
  const dims = want.map((d, i) => {
    if (d === 0 && !allowzero) {
      if (i >= x.dims.length) throw new GraphError(`${label}: 0 at position ${i} copies a dimension the input does not have`)
      return x.dims[i]
    }
    if (d < -1) throw new GraphError(`${label}: dimension ${d} is invalid`)
    return d
  })
  const unknown = dims.indexOf(-1)
  if (unknown !== dims.lastIndexOf(-1)) throw new GraphError(`${label}: at most one dimension may be -1`)
  const n = size(x.dims)
  if (unknown >= 0) {
    const rest = size(dims.filter((_, i) => i !== unknown))
    if (rest === 0 || n % rest !== 0) throw new GraphError(`${label}: cannot infer the -1 dimension of [${want.join(',')}] for ${n} elements`)
    dims[unknown] = n / rest
  }
  if (size(dims) !== n) throw new GraphError(`${label}: shape [${want.join(',')}] does not hold ${n} elements`)
  return budget.view(x, dims)
}

function transpose(label: string, x: Tensor, permAttr: bigint[] | undefined, budget: RunBudget): Tensor {
  const rank = x.dims.length
  const perm = permAttr === undefined ? x.dims.map((_, i) => rank - 1 - i) : permAttr.map(Number)
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw new GraphError(`${label}: perm [${perm.join(',')}] is not a permutation of the ${rank} axes`)
  const dims = perm.map((p) => x.dims[p])
  const out = budget.alloc(x.type, dims)
  const st = strides(x.dims)
  const from = perm.map((p) => st[p])
  stridedCost(x.type, dims, from, budget)
  gatherStrided(x.data, 0, from, dims, out.data)
  return out
}

/**
 * What gatherStrided costs over `dims` reading with `srcStrides`: each element moved (by how far
 * apart the innermost reads are), each innermost row walked. Nothing for an empty shape (it
 * returns at once).
 */
function stridedCost(type: number, dims: readonly number[], srcStrides: readonly number[], budget: RunBudget): void {
  const n = size(dims)
  if (n === 0) return
  const rank = dims.length
  const perElement = rank === 0 ? cost.element(type) : cost.stridedElement(type, srcStrides[rank - 1])
  budget.work(n * perElement + cost.rowWalk(dims, n))
}

function unsqueeze(label: string, x: Tensor, axes: number[], budget: RunBudget): Tensor {
  const rank = x.dims.length + axes.length
  const at = new Set(axesIn(axes, rank, label))
  const dims: number[] = []
  let j = 0
  for (let i = 0; i < rank; i++) dims.push(at.has(i) ? 1 : x.dims[j++])
  return budget.view(x, dims)
}

function squeeze(label: string, x: Tensor, axes: number[] | undefined, budget: RunBudget): Tensor {
  const rank = x.dims.length
  const at = new Set(axes === undefined ? x.dims.flatMap((d, i) => (d === 1 ? [i] : [])) : axesIn(axes, rank, label))
  for (const a of at) if (x.dims[a] !== 1) throw new GraphError(`${label}: axis ${a} has dimension ${x.dims[a]}, not 1`)
  return budget.view(x, x.dims.filter((_, i) => !at.has(i)))
}

function concat(label: string, inputs: readonly Tensor[], axisAttr: bigint, budget: RunBudget): Tensor {
  const rank = inputs[0].dims.length
  if (rank === 0) throw new GraphError(`${label}: scalars cannot be concatenated`)
  const axis = axisIn(axisAttr, rank, label)
  for (const t of inputs) {
    if (t.dims.length !== rank || t.dims.some((d, i) => i !== axis && d !== inputs[0].dims[i])) {
      throw new GraphError(`${label}: shapes [${inputs.map((x) => x.dims.join(',')).join('] [')}] differ off axis ${axis}`)
    }
  }
  const dims = [...inputs[0].dims]
  dims[axis] = inputs.reduce((t, x) => t + x.dims[axis], 0)
  const out = budget.alloc(inputs[0].type, dims)
  // nothing to write: the outer axes of empty inputs need not be walked
  if (size(dims) === 0) return out
  const outer = size(dims.slice(0, axis))
  const inner = size(dims.slice(axis + 1))
  budget.work(outer * inputs.length * cost.BLOCK)
  const row = dims[axis] * inner
  let offset = 0
  for (const t of inputs) {
    const block = t.dims[axis] * inner
    for (let o = 0; o < outer; o++) copy(t.data, o * block, out.data, o * row + offset, block)
    offset += block
  }
  return out
}

function copy(src: Tensor['data'], from: number, dst: Tensor['data'], to: number, n: number): void {
  if (isBig(dst)) (dst as BigData).set((src as BigData).subarray(from, from + n), to)
  else (dst as NumberData).set((src as NumberData).subarray(from, from + n), to)
}

/** Slice's start and end for one axis, clamped as the spec says, and the number of elements taken. */
function sliceAxis(start: bigint, end: bigint, step: bigint, dim: number): { first: number; count: number } {
  const d = BigInt(dim)
  let s = start < 0n ? start + d : start
  let e = end < 0n ? end + d : end
  if (step > 0n) {
    s = s < 0n ? 0n : s > d ? d : s
    e = e < 0n ? 0n : e > d ? d : e
    const count = e > s ? (e - s + step - 1n) / step : 0n
    return { first: Number(s), count: Number(count) }
  }
  s = s < 0n ? 0n : s > d - 1n ? d - 1n : s
  e = e < -1n ? -1n : e > d - 1n ? d - 1n : e
  const count = s > e ? (s - e - step - 1n) / -step : 0n
  return { first: Number(s), count: Number(count) }
}

function slice(label: string, x: Tensor, startsT: Tensor, endsT: Tensor, axesT: Tensor | undefined, stepsT: Tensor | undefined, budget: RunBudget): Tensor {
  const rank = x.dims.length
  // at most one of each per axis: longer lists are refused before they are read
  const starts = bigints(startsT, rank, label)
  const ends = bigints(endsT, rank, label)
  for (const t of [startsT, endsT, axesT, stepsT]) if (t !== undefined && t.dims.length !== 1) throw new GraphError(`${label}: starts, ends, axes and steps must be 1-D`)
  const axes = axesT === undefined ? starts.map((_, i) => i) : axesIn(bigints(axesT, rank, label), rank, label)
  const steps = stepsT === undefined ? starts.map(() => 1n) : bigints(stepsT, rank, label)
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) throw new GraphError(`${label}: starts, ends, axes and steps differ in length`)
  const first = x.dims.map(() => 0)
  const step = x.dims.map(() => 1)
  const dims = [...x.dims]
  axes.forEach((a, i) => {
    if (steps[i] === 0n) throw new GraphError(`${label}: a step cannot be 0`)
    const r = sliceAxis(starts[i], ends[i], steps[i], x.dims[a])
    first[a] = r.first
    dims[a] = r.count
    // a step beyond the axis takes at most one element: any such step reads the same
    const s = steps[i]
    step[a] = s > BigInt(x.dims[a]) ? x.dims[a] : s < -BigInt(x.dims[a]) ? -x.dims[a] : Number(s)
  })
  const out = budget.alloc(x.type, dims)
  const st = strides(x.dims)
  const from = st.map((s, i) => s * step[i])
  stridedCost(x.type, dims, from, budget)
  const offset = first.reduce((t, f, i) => t + f * st[i], 0)
  gatherStrided(x.data, offset, from, dims, out.data)
  return out
}

function gather(label: string, x: Tensor, indices: Tensor, axisAttr: bigint, budget: RunBudget): Tensor {
  const rank = x.dims.length
  if (rank === 0) throw new GraphError(`${label}: the data must have at least one dimension`)
  const axis = axisIn(axisAttr, rank, label)
  const L = x.dims[axis]
  const count = indices.data.length
  // the indices checked and normalised into an Int32Array (each is below L < 2³¹), counted as scratch
  budget.work(count * (isBig(indices.data) ? cost.BIG_CONVERT : 1))
  budget.scratch(4 * count)
  const at = new Int32Array(count)
  for (let j = 0; j < count; j++) {
    const i = indices.data[j]
    if (i < -L || i >= L) throw new GraphError(`${label}: index ${i} is out of range for dimension ${L}`)
    at[j] = Number(i) < 0 ? Number(i) + L : Number(i)
  }
  const dims = [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)]
  const out = budget.alloc(x.type, dims)
  // nothing to write: the outer axes need not be walked
  if (size(dims) === 0) return out
  const outer = size(x.dims.slice(0, axis))
  const inner = size(x.dims.slice(axis + 1))
  // one block copied per outer position and index, from anywhere in x
  budget.work(outer * count * cost.GATHER_BLOCK)
  let o = 0
  for (let b = 0; b < outer; b++) {
    for (const i of at) {
      copy(x.data, (b * L + i) * inner, out.data, o, inner)
      o += inner
    }
  }
  return out
}

function shapeOf(x: Tensor, startAttr: bigint, endAttr: bigint | undefined, budget: RunBudget): Tensor {
  const rank = BigInt(x.dims.length)
  const clamp = (v: bigint) => {
    const w = v < 0n ? v + rank : v
    return Number(w < 0n ? 0n : w > rank ? rank : w)
  }
  const dims = x.dims.slice(clamp(startAttr), clamp(endAttr ?? rank))
  const out = budget.alloc(DT.INT64, [dims.length])
  dims.forEach((d, i) => { (out.data as BigInt64Array)[i] = BigInt(d) })
  return out
}

const one = { required: 1, max: 1 }

/**
 * Unsqueeze and Squeeze: their axes are an int64 input from opset 13, an attribute before (the
 * same meaning either way); `apply` gets them as numbers, or undefined where none were given. An
 * attribute that must be there is checked when the graph is compiled.
 */
function axesOp(axesRequired: boolean, apply: (label: string, x: Tensor, axes: number[] | undefined, budget: RunBudget) => Tensor): OpDefinition {
  return {
    since: 1,
    attributes: (opset) => (opset >= 13 ? [] : ['axes']),
    inputs: { required: 1, max: 2 },
    outputs: one,
    compile(node) {
      const type = sameType(node, [0], ANY)
      if (node.opset >= 13) {
        indexInput(node, 1, new Set([DT.INT64]), 'axes')
        return { outputTypes: [type], kernel: ([x, axes], budget) => [apply(node.label, x as Tensor, axes === undefined ? undefined : safeInts(axes, MAX_RANK, node.label), budget)] }
      }
      if (node.inputTypes.length > 1) throw new GraphError(`${node.label}: before opset 13, axes is an attribute`)
      const axes = node.attrs.ints('axes')?.map(Number)
      if (axesRequired) required(axes, node.label, 'attribute axes')
      return { outputTypes: [type], kernel: ([x], budget) => [apply(node.label, x as Tensor, axes, budget)] }
    },
  }
}

export const SHAPE_OPS: Record<string, OpDefinition> = {
  Reshape: {
    since: 5,
    attributes: (opset) => (opset >= 14 ? ['allowzero'] : []),
    inputs: { required: 2, max: 2 },
    outputs: one,
    compile(node) {
      const type = sameType(node, [0], ANY)
      indexInput(node, 1, new Set([DT.INT64]), 'the shape')
      const allowzero = node.attrs.int('allowzero', 0n) !== 0n
      return { outputTypes: [type], kernel: ([x, s], budget) => [reshape(node.label, x as Tensor, s as Tensor, allowzero, budget)] }
    },
  },
  Transpose: {
    since: 1,
    attributes: () => ['perm'],
    inputs: one,
    outputs: one,
    compile(node) {
      const type = sameType(node, [0], ANY)
      const perm = node.attrs.ints('perm')
      return { outputTypes: [type], kernel: ([x], budget) => [transpose(node.label, x as Tensor, perm, budget)] }
    },
  },
  Unsqueeze: axesOp(true, (label, x, axes, budget) => unsqueeze(label, x, required(axes, label, 'the axes input'), budget)),
  Squeeze: axesOp(false, squeeze),
  Identity: {
    since: 1,
    attributes: () => [],
    inputs: one,
    outputs: one,
    compile(node) {
      const type = sameType(node, [0], ANY)
      return { outputTypes: [type], kernel: ([x], budget) => [budget.view(x as Tensor, (x as Tensor).dims)] }
    },
  },
  Concat: {
    since: 4,
    attributes: () => ['axis'],
    inputs: { required: 1, max: Infinity },
    outputs: one,
    compile(node) {
      const type = sameType(node, node.inputTypes.map((_, i) => i), ANY)
      const axis = required(node.attrs.int('axis'), node.label, 'attribute axis')
      return { outputTypes: [type], kernel: (inputs, budget) => [concat(node.label, inputs.map((t) => required(t, node.label, 'every input')), axis, budget)] }
    },
  },
  Slice: {
    // starts, ends, axes and steps as inputs from opset 10
    since: 10,
    attributes: () => [],
    inputs: { required: 3, max: 5 },
    outputs: one,
    compile(node) {
      const type = sameType(node, [0], ANY)
      sameType(node, [1, 2, 3, 4].filter((i) => i < node.inputTypes.length), INDEX, 'index input')
      return { outputTypes: [type], kernel: ([x, s, e, a, st], budget) => [slice(node.label, x as Tensor, s as Tensor, e as Tensor, a, st, budget)] }
    },
  },
  Gather: {
    since: 1,
    attributes: () => ['axis'],
    inputs: { required: 2, max: 2 },
    outputs: one,
    compile(node) {
      const type = sameType(node, [0], ANY)
      indexInput(node, 1, INDEX, 'the indices')
      const axis = node.attrs.int('axis', 0n)
      return { outputTypes: [type], kernel: ([x, i], budget) => [gather(node.label, x as Tensor, i as Tensor, axis, budget)] }
    },
  },
  Shape: {
    since: 1,
    attributes: (opset) => (opset >= 15 ? ['start', 'end'] : []),
    inputs: one,
    outputs: one,
    compile(node) {
      sameType(node, [0], ANY)
      const start = node.attrs.int('start', 0n)
      const end = node.attrs.int('end')
      return { outputTypes: [DT.INT64], kernel: ([x], budget) => [shapeOf(x as Tensor, start, end, budget)] }
    },
  },
}
