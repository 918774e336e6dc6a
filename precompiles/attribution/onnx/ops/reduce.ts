// ReduceSum and TopK. ReduceSum adds in the element type with wrap-around (each addition is exact
// before the store wraps it): the sum modulo 2^bits, as repeated Add gives. (onnxruntime 1.30 sums
// integers in double: int32 overflow saturates, int64 rounds past 2⁵³ — not a definition to rest
// consensus on.) TopK breaks ties as the ONNX spec says — the lower index first — and
// with sorted = 0 returns the same order as sorted = 1, one of the orders the spec allows, so that
// the result is defined for every graph.
import { DT, GraphError, forEachRow, isBig, safeInts, size, strides } from '../tensor.ts'
import type { BigData, NumberData, Tensor } from '../tensor.ts'
import * as cost from './cost.ts'
import { MAX_RANK } from '../limits.ts'
import { axesIn, axisIn, sameType } from './op.ts'
import type { OpDefinition, RunBudget } from './op.ts'

const SUMMABLE = new Set<number>([DT.UINT32, DT.INT32, DT.UINT64, DT.INT64])
const NUMERIC = new Set<number>([DT.UINT8, DT.INT8, DT.UINT16, DT.INT16, DT.UINT32, DT.INT32, DT.UINT64, DT.INT64])

function reduceSum(label: string, x: Tensor, axesGiven: number[] | undefined, keepdims: boolean, noopWhenEmpty: boolean, budget: RunBudget): Tensor {
  const rank = x.dims.length
  if ((axesGiven === undefined || axesGiven.length === 0) && noopWhenEmpty) return budget.view(x, x.dims)
  const axes = axesGiven === undefined || axesGiven.length === 0 ? x.dims.map((_, i) => i) : axesIn(axesGiven, rank, label)
  const reduced = new Set(axes)
  const kept = x.dims.map((d, i) => (reduced.has(i) ? 1 : d))
  const out = budget.alloc(x.type, keepdims ? kept : x.dims.filter((_, i) => !reduced.has(i)))
  const total = size(x.dims)
  if (total === 0) return out // the sum of nothing: zeros, as allocated
  budget.work(total * cost.element(x.type) + cost.rowWalk(x.dims, total))
  // the output's strides laid over the input's axes: 0 along the reduced ones
  const outStrides = strides(kept).map((s, i) => (reduced.has(i) ? 0 : s))
  const n = rank === 0 ? 1 : x.dims[rank - 1]
  const step = rank === 0 ? 0 : outStrides[rank - 1]
  forEachRow(x.dims, [outStrides], (ix, [oo]) => {
    if (isBig(out.data)) {
      const od = out.data
      const xd = x.data as BigData
      for (let i = 0, o = oo; i < n; i++, o += step) od[o] += xd[ix + i]
    } else {
      const od = out.data as NumberData
      const xd = x.data as NumberData
      for (let i = 0, o = oo; i < n; i++, o += step) od[o] += xd[ix + i]
    }
  })
  return out
}

const REDUCE_SUM: OpDefinition = {
  since: 1,
  attributes: (opset) => (opset >= 13 ? ['keepdims', 'noop_with_empty_axes'] : ['keepdims', 'axes']),
  inputs: { required: 1, max: 2 },
  outputs: { required: 1, max: 1 },
  compile(node) {
    const type = sameType(node, [0], SUMMABLE)
    const keepdims = node.attrs.int('keepdims', 1n) !== 0n
    if (node.opset >= 13) {
      if (node.inputTypes[1] !== undefined && node.inputTypes[1] !== DT.INT64) throw new GraphError(`${node.label}: axes must be int64`)
      const noop = node.attrs.int('noop_with_empty_axes', 0n) !== 0n
      return { outputTypes: [type], kernel: ([x, axes], budget) => [reduceSum(node.label, x as Tensor, axes === undefined ? undefined : safeInts(axes, MAX_RANK, node.label), keepdims, noop, budget)] }
    }
    if (node.inputTypes.length > 1) throw new GraphError(`${node.label}: before opset 13, axes is an attribute`)
    const axes = node.attrs.ints('axes')?.map(Number)
    return { outputTypes: [type], kernel: ([x], budget) => [reduceSum(node.label, x as Tensor, axes, keepdims, false, budget)] }
  },
}

/** The k best positions of `v[0..n)`, best first; better = larger (or smaller) value, then lower position. */
function select(v: Float64Array | bigint[], n: number, k: number, largest: boolean): Int32Array {
  if (v instanceof Float64Array && k > 0 && k * 4 < n) return selectNumbers(largest ? v : negated(v, n), n, k)
  return selectAny(v, n, k, largest)
}

function negated(v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = -v[i]
  return out
}

/**
 * The k largest of numbers, ties to the lower position: positions arrive in ascending order, so a
 * newcomer equal to the worst held never displaces it and one comparison rejects most of them.
 */
function selectNumbers(v: Float64Array, n: number, k: number): Int32Array {
  const heap = new Int32Array(k)
  const hv = new Float64Array(k)
  // worse: lower value, or the same value at a higher position
  const worse = (a: number, b: number) => hv[a] < hv[b] || (hv[a] === hv[b] && heap[a] > heap[b])
  const swap = (a: number, b: number) => {
    const i = heap[a]
    heap[a] = heap[b]
    heap[b] = i
    const x = hv[a]
    hv[a] = hv[b]
    hv[b] = x
  }
  for (let i = 0; i < k; i++) {
    heap[i] = i
    hv[i] = v[i]
    for (let at = i; at > 0; ) {
      const p = (at - 1) >> 1
      if (!worse(at, p)) break
      swap(at, p)
      at = p
    }
  }
  for (let i = k; i < n; i++) {
    if (!(v[i] > hv[0])) continue
    heap[0] = i
    hv[0] = v[i]
    for (let at = 0; ; ) {
      const l = 2 * at + 1
      if (l >= k) break
      const r = l + 1
      const c = r < k && worse(r, l) ? r : l
      if (!worse(c, at)) break
      swap(c, at)
      at = c
    }
  }
  const order = Int32Array.from({ length: k }, (_, i) => i).sort((a, b) => (hv[a] !== hv[b] ? hv[b] - hv[a] : heap[a] - heap[b]))
  return order.map((i) => heap[i])
}

function selectAny(v: Float64Array | bigint[], n: number, k: number, largest: boolean): Int32Array {
  const better = largest ? (i: number, j: number) => v[i] > v[j] || (v[i] === v[j] && i < j) : (i: number, j: number) => v[i] < v[j] || (v[i] === v[j] && i < j)
  if (k === 0) return new Int32Array(0)
  if (k * 4 >= n) {
    const all = Int32Array.from({ length: n }, (_, i) => i)
    return all.sort((i, j) => (better(i, j) ? -1 : better(j, i) ? 1 : 0)).subarray(0, k)
  }
  // a heap of the best k so far with the worst at the root
  const heap = new Int32Array(k)
  let size = 0
  const down = (at: number) => {
    for (;;) {
      const l = 2 * at + 1
      if (l >= size) return
      const r = l + 1
      const c = r < size && better(heap[l], heap[r]) ? r : l
      if (!better(heap[at], heap[c])) return
      ;[heap[at], heap[c]] = [heap[c], heap[at]]
      at = c
    }
  }
  for (let i = 0; i < n; i++) {
    if (size < k) {
      let at = size++
      heap[at] = i
      while (at > 0) {
        const p = (at - 1) >> 1
        if (!better(heap[p], heap[at])) break
        ;[heap[at], heap[p]] = [heap[p], heap[at]]
        at = p
      }
    } else if (better(i, heap[0])) {
      heap[0] = i
      down(0)
    }
  }
  return heap.sort((i, j) => (better(i, j) ? -1 : better(j, i) ? 1 : 0))
}

/** What select() may cost at worst, as it chooses its path: every element sifting through a heap of k, or a sort of all L. */
function selectionCost(L: number, k: number, big: boolean): number {
  if (k === 0) return 0
  if (!big && k * 4 < L) return L * (cost.HEAP_ELEMENT + cost.HEAP_STEP * cost.log2(k))
  return L * (big ? cost.BIG_SORT_STEP : cost.SORT_STEP) * cost.log2(k * 4 < L ? k : L)
}

function topK(label: string, x: Tensor, kTensor: Tensor, axisAttr: bigint, largest: boolean, budget: RunBudget): Tensor[] {
  const rank = x.dims.length
  if (rank === 0) throw new GraphError(`${label}: the input must have at least one dimension`)
  const axis = axisIn(axisAttr, rank, label)
  if (kTensor.dims.length !== 1 || kTensor.data.length !== 1) throw new GraphError(`${label}: K must be a 1-D tensor of one element`)
  const ks = safeInts(kTensor, 1, label)
  const L = x.dims[axis]
  const k = ks[0]
  if (k < 0 || k > L) throw new GraphError(`${label}: K = ${k} is not within [0, ${L}]`)
  const dims = x.dims.map((d, i) => (i === axis ? k : d))
  const values = budget.alloc(x.type, dims)
  const indices = budget.alloc(DT.INT64, dims)
  // nothing to write: the slices need not be walked (an empty tensor's other dimensions may be 2³¹)
  if (size(dims) === 0) return [values, indices]
  const inner = size(x.dims.slice(axis + 1))
  const outer = size(x.dims.slice(0, axis))
  const big = isBig(x.data)
  // per slice: its set-up, L elements read, the selection at its worst, k values and indices (BigInt) written
  budget.work(outer * inner * (cost.SLICE + L * (big ? cost.BIG_CONVERT : 1) + selectionCost(L, k, big) + k * (cost.element(x.type) + cost.BIG_CONVERT)))
  // the slice (a Float64Array, or an array of heap BigInts), and select's negated copy, order and heap
  budget.scratch(L * (big ? 48 : 24) + k * 16)
  // number values ranked in a Float64Array (exact for 32-bit integers), 64-bit ones as bigints
  const slice: Float64Array | bigint[] = big ? new Array<bigint>(L) : new Float64Array(L)
  const vd = values.data
  const id = indices.data as BigInt64Array
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * L * inner + i
      for (let j = 0; j < L; j++) slice[j] = x.data[base + j * inner]
      const best = select(slice, L, k, largest)
      const outBase = o * k * inner + i
      for (let j = 0; j < k; j++) {
        const at = outBase + j * inner
        if (big) (vd as BigData)[at] = slice[best[j]] as bigint
        else (vd as NumberData)[at] = slice[best[j]] as number
        id[at] = BigInt(best[j])
      }
    }
  }
  return [values, indices]
}

const TOP_K: OpDefinition = {
  // integer inputs, and the largest and sorted attributes, from opset 11
  since: 11,
  attributes: () => ['axis', 'largest', 'sorted'],
  inputs: { required: 2, max: 2 },
  outputs: { required: 2, max: 2 },
  compile(node) {
    const type = sameType(node, [0], NUMERIC)
    if (node.inputTypes[1] !== DT.INT64) throw new GraphError(`${node.label}: K must be int64`)
    const axis = node.attrs.int('axis', -1n)
    const largest = node.attrs.int('largest', 1n) !== 0n
    return { outputTypes: [type, DT.INT64], kernel: ([x, k], budget) => topK(node.label, x as Tensor, k as Tensor, axis, largest, budget) }
  },
}

export const REDUCE_OPS: Record<string, OpDefinition> = { ReduceSum: REDUCE_SUM, TopK: TOP_K }
