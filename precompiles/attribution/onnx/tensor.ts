// Integer tensors as the reference interpreter holds them: an ONNX element type, dims, and a
// typed array whose own store conversion is the ONNX/C wrap-around of that type (storing 300 in
// a Uint8Array keeps 44, storing 2⁶³ in a BigInt64Array keeps −2⁶³). 64-bit types are BigInt
// arrays, BOOL is a Uint8Array of 0 and 1.
import { onnx } from './proto.ts'
import type { OnnxNs } from './proto.ts'
import { MAX_DIM, MAX_WORK, admittedSize } from './limits.ts'

export const DT = onnx.TensorProto.DataType

export type NumberData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
export type BigData = BigInt64Array | BigUint64Array
export type TensorData = NumberData | BigData

export interface Tensor {
  /** an onnx.TensorProto.DataType value */
  readonly type: number
  readonly dims: readonly number[]
  readonly data: TensorData
}

/**
 * A graph the interpreter refuses or that fails on its input: a property of the graph's bytes and
 * the input alone, so every node meets the same one (its message included).
 */
export class GraphError extends Error {}

interface ElementType {
  name: string
  bytes: number
  make(n: number): TensorData
}

const ELEMENT_TYPES = new Map<number, ElementType>([
  [DT.UINT8, { name: 'uint8', bytes: 1, make: (n) => new Uint8Array(n) }],
  [DT.INT8, { name: 'int8', bytes: 1, make: (n) => new Int8Array(n) }],
  [DT.UINT16, { name: 'uint16', bytes: 2, make: (n) => new Uint16Array(n) }],
  [DT.INT16, { name: 'int16', bytes: 2, make: (n) => new Int16Array(n) }],
  [DT.UINT32, { name: 'uint32', bytes: 4, make: (n) => new Uint32Array(n) }],
  [DT.INT32, { name: 'int32', bytes: 4, make: (n) => new Int32Array(n) }],
  [DT.UINT64, { name: 'uint64', bytes: 8, make: (n) => new BigUint64Array(n) }],
  [DT.INT64, { name: 'int64', bytes: 8, make: (n) => new BigInt64Array(n) }],
  [DT.BOOL, { name: 'bool', bytes: 1, make: (n) => new Uint8Array(n) }],
])

export const INTEGER_TYPES: ReadonlySet<number> = new Set(ELEMENT_TYPES.keys())

function elementType(type: number): ElementType {
  const t = ELEMENT_TYPES.get(type)
  if (t === undefined) throw new GraphError(`element type ${typeName(type)} is not an integer type`)
  return t
}

export function typeName(type: number): string {
  return ELEMENT_TYPES.get(type)?.name ?? DT[type] ?? String(type)
}

export const isBigType = (type: number): boolean => type === DT.INT64 || type === DT.UINT64
export const isBig = (data: TensorData): data is BigData => data instanceof BigInt64Array || data instanceof BigUint64Array

export function elementBytes(type: number): number {
  return elementType(type).bytes
}

export function makeData(type: number, n: number): TensorData {
  return elementType(type).make(n)
}

export function size(dims: readonly number[]): number {
  let n = 1
  for (const d of dims) n *= d
  return n
}

/** Row-major strides. */
export function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length)
  let acc = 1
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc
    acc *= dims[i]
  }
  return s
}

/** Multidirectional (numpy) broadcasting of shapes. */
export function broadcastDims(shapes: ReadonlyArray<readonly number[]>, what: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length))
  const out = new Array<number>(rank).fill(1)
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const at = rank - s.length + i
      const d = s[i]
      if (out[at] === 1) out[at] = d
      else if (d !== 1 && d !== out[at]) throw new GraphError(`${what}: shapes [${shapes.map((x) => x.join(',')).join('] [')}] do not broadcast`)
    }
  }
  return out
}

/** The strides of `dims` laid over the broadcast shape `out` (0 where it is repeated). */
export function broadcastStrides(dims: readonly number[], out: readonly number[]): number[] {
  const own = strides(dims)
  const s = new Array<number>(out.length).fill(0)
  for (let i = 0; i < dims.length; i++) {
    const at = out.length - dims.length + i
    s[at] = dims[i] === 1 && out[at] !== 1 ? 0 : own[i]
  }
  return s
}

/**
 * Calls `row(out, offsets)` for every innermost row of the shape `dims` (row-major), with the
 * offset of the row's first element in each of the strided operands; the row has `dims[last]`
 * elements, the operands advance by their last stride. Rank 0 is one row of one element.
 */
export function forEachRow(dims: readonly number[], operandStrides: ReadonlyArray<readonly number[]>, row: (outOffset: number, offsets: readonly number[]) => void): void {
  const rank = dims.length
  const offsets = new Array<number>(operandStrides.length).fill(0)
  if (rank === 0) {
    row(0, offsets)
    return
  }
  if (size(dims) === 0) return
  const last = dims[rank - 1]
  const counter = new Array<number>(rank - 1).fill(0)
  for (let out = 0; ; out += last) {
    row(out, offsets)
    // odometer over all but the last dimension
    let d = rank - 2
    for (; d >= 0; d--) {
      counter[d]++
      for (let o = 0; o < offsets.length; o++) offsets[o] += operandStrides[o][d]
      if (counter[d] < dims[d]) break
      for (let o = 0; o < offsets.length; o++) offsets[o] -= operandStrides[o][d] * dims[d]
      counter[d] = 0
    }
    if (d < 0) return
  }
}

/** A copy of the elements of `src` at `offset + Σ index_d × srcStrides_d` over the shape `dims`. */
export function gatherStrided(src: TensorData, offset: number, srcStrides: readonly number[], dims: readonly number[], dst: TensorData): void {
  const inner = dims.length === 0 ? 0 : srcStrides[dims.length - 1]
  const n = dims.length === 0 ? 1 : dims[dims.length - 1]
  forEachRow(dims, [srcStrides], (o, [s]) => {
    let at = offset + s
    if (isBig(dst)) {
      const from = src as BigData
      for (let i = 0; i < n; i++, at += inner) dst[o + i] = from[at]
    } else {
      const from = src as NumberData
      for (let i = 0; i < n; i++, at += inner) dst[o + i] = from[at]
    }
  })
}

/**
 * The integers of a small index-like tensor (shapes, axes, starts, k) as bigints; at most `max` of
 * them (a rank, or 1), refused before the list is made: a long one is never what such an input holds.
 */
export function bigints(t: Tensor, max: number, what: string): bigint[] {
  const out: bigint[] = []
  const d = t.data
  if (d.length > max) throw new GraphError(`${what}: ${d.length} values where at most ${max} fit`)
  for (let i = 0; i < d.length; i++) out.push(BigInt(d[i]))
  return out
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** The same as numbers, refusing what a dimension or an axis can never be. */
export function safeInts(t: Tensor, max: number, what: string): number[] {
  return bigints(t, max, what).map((v) => {
    if (v > SAFE || v < -SAFE) throw new GraphError(`${what}: ${v} is out of range`)
    return Number(v)
  })
}

/** A protobuf int64 (protobufjs gives Long objects, or numbers) as a bigint. */
export function long(v: number | { toString(): string } | null | undefined): bigint {
  if (v === null || v === undefined) return 0n
  return BigInt(typeof v === 'number' ? v : v.toString())
}

/** An initializer's values: raw little-endian bytes or the typed fields, as ONNX stores them. */
export function tensorFromProto(p: OnnxNs.ITensorProto): Tensor {
  const name = p.name ?? ''
  const type = p.dataType ?? 0
  if (!INTEGER_TYPES.has(type)) throw new GraphError(`initializer ${name} is of a non-integer type (${typeName(type)})`)
  if ((p.externalData?.length ?? 0) > 0 || p.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new GraphError(`initializer ${name} keeps its data outside the graph`)
  if (p.segment !== null && p.segment !== undefined) throw new GraphError(`initializer ${name} is segmented`)
  const dims = (p.dims ?? []).map((d) => {
    const v = long(d)
    if (v < 0n || v > BigInt(MAX_DIM)) throw new GraphError(`initializer ${name} has dimension ${v}`)
    return Number(v)
  })
  // shape and length are checked before anything is allocated: [2³¹] int64 with 3 bytes is refused, not attempted
  const n = admittedSize(dims, MAX_WORK, `initializer ${name}`)
  const bytes = elementBytes(type)
  const raw = p.rawData
  if (raw !== null && raw !== undefined && raw.length > 0) {
    if (raw.length !== n * bytes) throw new GraphError(`initializer ${name} holds ${raw.length} bytes for ${n} elements of ${typeName(type)}`)
    const data = makeData(type, n)
    // a copy: the raw bytes need not be aligned for the typed array (little-endian, like every host we run on and as ONNX stores them)
    new Uint8Array(data.buffer).set(raw)
    if (type === DT.BOOL) for (let i = 0; i < n; i++) data[i] = data[i] === 0 ? 0 : 1
    return { type, dims, data }
  }
  const fields: Array<number | { toString(): string }> =
    type === DT.INT64 ? (p.int64Data ?? []) : type === DT.UINT32 || type === DT.UINT64 ? (p.uint64Data ?? []) : (p.int32Data ?? [])
  if (fields.length !== n) throw new GraphError(`initializer ${name} holds ${fields.length} values for ${n} elements`)
  const data = makeData(type, n)
  if (isBig(data)) fields.forEach((v, i) => { data[i] = long(v) })
  else fields.forEach((v, i) => { data[i] = type === DT.BOOL ? (Number(long(v)) === 0 ? 0 : 1) : Number(long(v)) })
  return { type, dims, data }
}

/** A tensor from values (tests, feeds): numbers or bigints stored with the type's wrap-around. */
export function tensorOf(type: number, dims: readonly number[], values: ArrayLike<number | bigint>): Tensor {
  const data = makeData(type, size(dims))
  if (values.length !== data.length) throw new Error(`${values.length} values for shape [${dims.join(',')}]`)
  for (let i = 0; i < data.length; i++) {
    const v = values[i]
    if (isBig(data)) data[i] = BigInt(v)
    // the low 32 bits are exact; the array's store wraps them to its own width
    else data[i] = type === DT.BOOL ? (v === 0 || v === 0n ? 0 : 1) : typeof v === 'bigint' ? Number(BigInt.asUintN(32, v)) : v
  }
  return { type, dims: [...dims], data }
}
