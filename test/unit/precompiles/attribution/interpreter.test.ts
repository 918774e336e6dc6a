// The reference interpreter against onnxruntime, op by op, on random integer tensors chosen to
// wrap around and to broadcast; where onnxruntime has no kernel for a type the spec allows, against
// a plain computation of the spec's rule. And the default graph against the reference scorer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { OP_WHITELIST, defaultGraphTemplate, prngBytes, scoreReference } from '../../../../precompiles/attribution/index.ts'
import { INTERPRETED_OPS, MAX_OPSET, compileGraph } from '../../../../precompiles/attribution/onnx/interpreter.ts'
import { onnx } from '../../../../precompiles/attribution/onnx/proto.ts'
import type { OnnxNs } from '../../../../precompiles/attribution/onnx/proto.ts'
import { DT, GraphError, size, tensorOf } from '../../../../precompiles/attribution/onnx/tensor.ts'
import type { Tensor } from '../../../../precompiles/attribution/onnx/tensor.ts'

interface OrtTensor { type: string; dims: readonly number[]; data: ArrayLike<number | bigint | boolean> }
interface Ort {
  InferenceSession: { create(model: Uint8Array, opts?: Record<string, unknown>): Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>; release(): Promise<void> }> }
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown
}
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort

const A = onnx.AttributeProto.AttributeType
const ORT_NAME: Record<number, string> = {
  [DT.UINT8]: 'uint8', [DT.INT8]: 'int8', [DT.UINT16]: 'uint16', [DT.INT16]: 'int16', [DT.UINT32]: 'uint32',
  [DT.INT32]: 'int32', [DT.UINT64]: 'uint64', [DT.INT64]: 'int64', [DT.BOOL]: 'bool',
}
const INTS = [DT.UINT8, DT.INT8, DT.UINT16, DT.INT16, DT.UINT32, DT.INT32, DT.UINT64, DT.INT64]
const BITS: Record<number, [bits: number, signed: boolean]> = {
  [DT.UINT8]: [8, false], [DT.INT8]: [8, true], [DT.UINT16]: [16, false], [DT.INT16]: [16, true], [DT.UINT32]: [32, false],
  [DT.INT32]: [32, true], [DT.UINT64]: [64, false], [DT.INT64]: [64, true], [DT.BOOL]: [1, false],
}

// ---- graphs of one or a few nodes ----

type Attr = [name: string, value: number | bigint | number[]]
interface NodeSpec { op: string; inputs: string[]; outputs: string[]; attrs?: Attr[] }
interface GraphSpec {
  opset?: number
  inputs: Array<[name: string, type: number]>
  outputs: Array<[name: string, type: number]>
  nodes: NodeSpec[]
  initializers?: Array<[name: string, tensor: Tensor]>
}

function attribute([name, v]: Attr): OnnxNs.IAttributeProto {
  return Array.isArray(v) ? { name, type: A.INTS, ints: v } : { name, type: A.INT, i: Number(v) }
}

function initializer(name: string, t: Tensor): OnnxNs.ITensorProto {
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice()
  return { name, dataType: t.type, dims: [...t.dims], rawData: raw }
}

function graphBytes(g: GraphSpec): Uint8Array {
  const io = ([name, type]: [string, number]): OnnxNs.IValueInfoProto => ({ name, type: { tensorType: { elemType: type } } })
  const graph: OnnxNs.IGraphProto = {
    name: 'test',
    input: g.inputs.map(io),
    output: g.outputs.map(io),
    initializer: (g.initializers ?? []).map(([n, t]) => initializer(n, t)),
    node: g.nodes.map((n, i) => ({ opType: n.op, name: `n${i}`, input: n.inputs, output: n.outputs, attribute: (n.attrs ?? []).map(attribute) })),
  }
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: g.opset ?? 13 }], graph })).finish()
}

/** One node reading x0, x1, … and writing y0, y1, … */
function oneNode(op: string, inputs: Array<Tensor | undefined>, outTypes: number[], attrs: Attr[] = [], opset = 13): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const feeds: Record<string, Tensor> = {}
  const names = inputs.map((t, i) => {
    if (t === undefined) return ''
    feeds[`x${i}`] = t
    return `x${i}`
  })
  const bytes = graphBytes({
    opset,
    inputs: Object.entries(feeds).map(([n, t]) => [n, t.type]),
    outputs: outTypes.map((t, i) => [`y${i}`, t]),
    nodes: [{ op, inputs: names, outputs: outTypes.map((_, i) => `y${i}`), attrs }],
  })
  return { bytes, feeds }
}

async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 })
  const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, new ort.Tensor(ORT_NAME[t.type], t.data, t.dims)])))
  await session.release()
  return Object.fromEntries(
    Object.entries(out).map(([n, t]) => {
      const type = Number(Object.entries(ORT_NAME).find(([, v]) => v === t.type)?.[0])
      return [n, tensorOf(type, t.dims, Array.from(t.data, (x) => (typeof x === 'boolean' ? Number(x) : x)))]
    }),
  )
}

const runInterpreter = (bytes: Uint8Array, feeds: Record<string, Tensor>) => compileGraph(bytes).run(feeds)

const show = (t: Tensor) => ({ type: ORT_NAME[t.type], dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint>, String) })

function assertSameTensors(got: Record<string, Tensor>, want: Record<string, Tensor>, label: string): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), label)
  for (const k of Object.keys(want)) assert.deepEqual(show(got[k]), show(want[k]), `${label}: output ${k}`)
}

async function agreesWithOrt(op: string, inputs: Array<Tensor | undefined>, outTypes: number[], attrs: Attr[] = [], opset = 13, label = op): Promise<Record<string, Tensor>> {
  const { bytes, feeds } = oneNode(op, inputs, outTypes, attrs, opset)
  const got = runInterpreter(bytes, feeds)
  assertSameTensors(got, await runOrt(bytes, feeds), label)
  return got
}

// ---- random integers, with the extremes of each type often ----

let state = 0x2545f491
function next32(): number {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return state >>> 0
}

function randomValue(type: number, range?: number): bigint {
  const [bits, signed] = BITS[type]
  if (type === DT.BOOL) return BigInt(next32() & 1)
  if (range !== undefined) return BigInt((next32() % (2 * range + 1)) - (signed ? range : 0)) & ((1n << BigInt(bits)) - 1n)
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n
  const pick = next32() % 8
  if (pick === 0) return min
  if (pick === 1) return max
  if (pick === 2) return 0n
  if (pick === 3) return signed ? -1n : 1n
  const raw = (BigInt(next32()) << 32n) | BigInt(next32())
  return BigInt.asUintN(bits, raw)
}

/** A tensor of random values (two's complement patterns, stored with the type's wrap). */
function random(type: number, dims: number[], range?: number): Tensor {
  return tensorOf(type, dims, Array.from({ length: size(dims) }, () => randomValue(type, range)))
}

const int64s = (values: Array<number | bigint>, dims = [values.length]) => tensorOf(DT.INT64, dims, values.map(BigInt))
const int32s = (values: number[], dims = [values.length]) => tensorOf(DT.INT32, dims, values)

// ---- the ops ----

test('the interpreter implements exactly the whitelist', () => {
  assert.deepEqual(Object.keys(INTERPRETED_OPS).sort(), [...OP_WHITELIST].sort())
})

test('Add, Sub, Mul wrap around in every integer type and broadcast in every direction', async () => {
  const shapes: Array<[number[], number[]]> = [[[3, 4], [3, 4]], [[2, 3, 4], [4]], [[2, 1, 4], [1, 3, 1]], [[], [2, 3]], [[5, 1], [1]], [[0, 3], [3]]]
  for (const op of ['Add', 'Sub', 'Mul']) {
    for (const type of INTS) {
      for (const [a, b] of shapes) await agreesWithOrt(op, [random(type, a), random(type, b)], [type], [], 14, `${op} ${ORT_NAME[type]} [${a}] [${b}]`)
    }
  }
  // a concrete wrap, spelled out: 200 + 100 in uint8, 2³¹ − 1 + 1 in int32, −2⁶³ · −1 in int64
  const add = oneNode('Add', [tensorOf(DT.UINT8, [], [200]), tensorOf(DT.UINT8, [], [100])], [DT.UINT8], [], 14)
  assert.equal(runInterpreter(add.bytes, add.feeds).y0.data[0], 44)
  const inc = oneNode('Add', [int32s([2147483647]), int32s([1])], [DT.INT32])
  assert.equal(runInterpreter(inc.bytes, inc.feeds).y0.data[0], -2147483648)
  const neg = oneNode('Mul', [int64s([-(1n << 63n)]), int64s([-1])], [DT.INT64])
  assert.equal(runInterpreter(neg.bytes, neg.feeds).y0.data[0], -(1n << 63n))
  // before opset 14, Add took no 8- or 16-bit integers: refused, not guessed
  const old = oneNode('Add', [random(DT.INT8, [2]), random(DT.INT8, [2])], [DT.INT8], [], 13)
  assert.throws(() => compileGraph(old.bytes), (e: unknown) => e instanceof GraphError && /int8 is not allowed at opset 13/.test(e.message))
})

test('Max and Min take any number of inputs and broadcast them', async () => {
  for (const op of ['Max', 'Min']) {
    for (const type of [DT.UINT8, DT.INT8, DT.UINT32, DT.INT32, DT.UINT64, DT.INT64]) {
      await agreesWithOrt(op, [random(type, [2, 3, 4]), random(type, [3, 1]), random(type, [4])], [type], [], 13, `${op} ${ORT_NAME[type]}, three inputs`)
      await agreesWithOrt(op, [random(type, [3, 2])], [type], [], 13, `${op} ${ORT_NAME[type]}, one input`)
    }
    // 16-bit: onnxruntime has no kernel; the rule is plain
    for (const type of [DT.UINT16, DT.INT16]) {
      const a = random(type, [2, 3])
      const b = random(type, [3])
      const { bytes, feeds } = oneNode(op, [a, b], [type])
      const got = runInterpreter(bytes, feeds).y0
      const pick = op === 'Max' ? Math.max : Math.min
      assert.deepEqual(Array.from(got.data as Int16Array), Array.from({ length: 6 }, (_, i) => pick(Number(a.data[i]), Number(b.data[i % 3]))))
    }
  }
})

test('Cast between every pair of integer types and BOOL wraps or truncates as C casts do', async () => {
  const all = [...INTS, DT.BOOL]
  for (const from of all) {
    for (const to of all) await agreesWithOrt('Cast', [random(from, [40])], [to], [['to', to]], 13, `Cast ${ORT_NAME[from]} → ${ORT_NAME[to]}`)
  }
  const { bytes, feeds } = oneNode('Cast', [int64s([-1, 300, -129, 1n << 40n])], [DT.UINT8], [['to', DT.UINT8]])
  assert.deepEqual(Array.from(runInterpreter(bytes, feeds).y0.data as Uint8Array), [255, 44, 127, 0])
})

test('MatMulInteger: scalar and per-column zero points, vectors, batches, and int32 wrap-around', async () => {
  const u8 = (dims: number[]) => random(DT.UINT8, dims)
  const zp = (v: number, dims: number[] = []) => tensorOf(DT.UINT8, dims, Array.from({ length: size(dims) }, () => v))
  const cases: Array<[string, Array<Tensor | undefined>]> = [
    ['2-D, no zero points', [u8([3, 5]), u8([5, 4])]],
    ['2-D, scalar zero points', [u8([3, 5]), u8([5, 4]), zp(128), zp(128)]],
    ['2-D, one-element zero points', [u8([3, 5]), u8([5, 4]), zp(7, [1]), zp(250, [1])]],
    ['only b_zero_point', [u8([3, 5]), u8([5, 4]), undefined, zp(3)]],
    ['per-column b_zero_point', [u8([3, 5]), u8([5, 4]), zp(128), random(DT.UINT8, [4])]],
    ['vector × matrix', [u8([5]), u8([5, 4]), zp(128), zp(128)]],
    ['matrix × vector', [u8([3, 5]), u8([5]), zp(128), zp(128)]],
    ['batched × 2-D', [u8([2, 3, 5]), u8([5, 4]), zp(128), zp(128)]],
    ['broadcast batches', [u8([2, 1, 3, 5]), u8([3, 5, 4]), zp(1), zp(2)]],
    ['the scoring shape', [u8([2, 64]), u8([64, 50]), zp(128), zp(128)]],
  ]
  for (const [label, inputs] of cases) await agreesWithOrt('MatMulInteger', inputs, [DT.INT32], [], 13, `MatMulInteger ${label}`)
  // 255·255·40,000 exceeds 2³¹: both wrap the int32 accumulator the same way
  const K = 40_000
  const wrapped = await agreesWithOrt('MatMulInteger', [zp(255, [1, K]), zp(255, [K, 1])], [DT.INT32], [], 13, 'MatMulInteger wrap')
  assert.equal(wrapped.y0.data[0], Number(BigInt.asIntN(32, 255n * 255n * BigInt(K))))
  assert.ok((wrapped.y0.data[0] as number) < 0)
})

test('MatMulInteger per-row a_zero_point and N-D zero points follow the spec (plain computation)', () => {
  const a = random(DT.UINT8, [2, 3, 4])
  const b = random(DT.UINT8, [2, 4, 5])
  const za = random(DT.UINT8, [2, 3, 1])
  const zb = random(DT.UINT8, [2, 1, 5])
  const { bytes, feeds } = oneNode('MatMulInteger', [a, b, za, zb], [DT.INT32])
  const got = runInterpreter(bytes, feeds).y0
  assert.deepEqual(got.dims, [2, 3, 5])
  for (let p = 0; p < 2; p++) {
    for (let m = 0; m < 3; m++) {
      for (let n = 0; n < 5; n++) {
        let s = 0
        for (let k = 0; k < 4; k++) s += (Number(a.data[p * 12 + m * 4 + k]) - Number(za.data[p * 3 + m])) * (Number(b.data[p * 20 + k * 5 + n]) - Number(zb.data[p * 5 + n]))
        assert.equal(got.data[p * 15 + m * 5 + n], s)
      }
    }
  }
  // per-row for a 2-D A: an M-vector
  const a2 = random(DT.UINT8, [3, 4])
  const b2 = random(DT.UINT8, [4, 2])
  const rowZp = random(DT.UINT8, [3])
  const two = oneNode('MatMulInteger', [a2, b2, rowZp], [DT.INT32])
  const out = runInterpreter(two.bytes, two.feeds).y0
  for (let m = 0; m < 3; m++) {
    for (let n = 0; n < 2; n++) {
      let s = 0
      for (let k = 0; k < 4; k++) s += (Number(a2.data[m * 4 + k]) - Number(rowZp.data[m])) * Number(b2.data[k * 2 + n])
      assert.equal(out.data[m * 2 + n], s)
    }
  }
  // a zero point of another shape is refused at run time, by name
  const bad = oneNode('MatMulInteger', [a2, b2, random(DT.UINT8, [2])], [DT.INT32])
  assert.throws(() => runInterpreter(bad.bytes, bad.feeds), (e: unknown) => e instanceof GraphError && /MatMulInteger n0: a zero point of shape \[2\]/.test(e.message))
})

test('ReduceSum: axes as input (opset 13) or attribute (opset 11), keepdims, noop_with_empty_axes, wrap-around', async () => {
  // onnxruntime sums integers in double (checked with 1.30: int32 overflow saturates, int64 rounds
  // beyond 2^53), so it is the oracle only for sums that fit; past them the rule is the exact sum
  // modulo 2^bits, as repeated Add gives, checked below by plain computation
  for (const type of [DT.INT32, DT.INT64]) {
    const x = random(type, [3, 4, 5], 1 << 20)
    for (const axes of [undefined, [0], [-1], [0, 2], [1, -3]]) {
      for (const keepdims of [0, 1]) {
        await agreesWithOrt('ReduceSum', [x, axes === undefined ? undefined : int64s(axes)], [type], [['keepdims', keepdims]], 13, `ReduceSum ${ORT_NAME[type]} axes ${axes} keepdims ${keepdims}`)
        if (axes !== undefined) await agreesWithOrt('ReduceSum', [x], [type], [['keepdims', keepdims], ['axes', axes]], 11, `ReduceSum opset 11 axes ${axes}`)
      }
    }
    await agreesWithOrt('ReduceSum', [x, int64s([])], [type], [['noop_with_empty_axes', 1]], 13, 'ReduceSum noop')
    await agreesWithOrt('ReduceSum', [x, int64s([])], [type], [['noop_with_empty_axes', 0]], 13, 'ReduceSum empty axes: all')
  }
  // uint32 and uint64 (spec types onnxruntime has no kernel for), and overflowing int32 and int64: modulo 2^bits
  for (const [type, bits] of [[DT.UINT32, 32n], [DT.UINT64, 64n], [DT.INT32, 32n], [DT.INT64, 64n]] as const) {
    const x = random(type, [4, 6])
    const { bytes, feeds } = oneNode('ReduceSum', [x, int64s([1])], [type], [['keepdims', 0]])
    const got = runInterpreter(bytes, feeds).y0
    for (let r = 0; r < 4; r++) {
      let s = 0n
      for (let c = 0; c < 6; c++) s += BigInt(x.data[r * 6 + c])
      const signed = type === DT.INT32 || type === DT.INT64
      assert.equal(BigInt(got.data[r]), signed ? BigInt.asIntN(Number(bits), s) : BigInt.asUintN(Number(bits), s))
    }
  }
  // the attribute form is refused at opset 13, the input form at opset 11
  const attr = oneNode('ReduceSum', [random(DT.INT32, [2, 2])], [DT.INT32], [['axes', [0]]], 13)
  assert.throws(() => compileGraph(attr.bytes), /attribute axes is not one this interpreter implements/)
})

test('TopK: largest and smallest, any axis, ties to the lower index, as onnxruntime', async () => {
  for (const type of [DT.UINT8, DT.INT8, DT.INT16, DT.INT32, DT.INT64]) {
    // a small range of values: ties everywhere, also at the k-th place
    const x = random(type, [3, 40], 3)
    for (const [axis, k] of [[-1, 7], [1, 40], [0, 2], [1, 0]]) {
      for (const largest of [1, 0]) {
        await agreesWithOrt('TopK', [x, int64s([k])], [type, DT.INT64], [['axis', axis], ['largest', largest], ['sorted', 1]], 13, `TopK ${ORT_NAME[type]} axis ${axis} k ${k} largest ${largest}`)
      }
    }
    // sorted = 0: onnxruntime's order is unspecified; the same set, and ours is the sorted order
    const { bytes, feeds } = oneNode('TopK', [x, int64s([5])], [type, DT.INT64], [['sorted', 0]], 13)
    const mine = runInterpreter(bytes, feeds)
    const theirs = await runOrt(bytes, feeds)
    const sorted = oneNode('TopK', [x, int64s([5])], [type, DT.INT64], [['sorted', 1]], 13)
    assertSameTensors(mine, runInterpreter(sorted.bytes, sorted.feeds), 'sorted = 0 gives the sorted order')
    const pairs = (r: Record<string, Tensor>) => Array.from({ length: 15 }, (_, i) => `${r.y0.data[i]}@${r.y1.data[i]}`).sort()
    assert.deepEqual(pairs(mine), pairs(theirs))
  }
  // unsigned 16-, 32- and 64-bit: no onnxruntime kernel; the rule spelled out
  for (const type of [DT.UINT16, DT.UINT32, DT.UINT64]) {
    const x = random(type, [50], 4)
    const { bytes, feeds } = oneNode('TopK', [x, int64s([9])], [type, DT.INT64])
    const got = runInterpreter(bytes, feeds)
    const want = Array.from(x.data as ArrayLike<number | bigint>, (v, i) => ({ v: BigInt(v), i })).sort((a, b) => (a.v !== b.v ? (b.v > a.v ? 1 : -1) : a.i - b.i)).slice(0, 9)
    assert.deepEqual(Array.from(got.y1.data as BigInt64Array, Number), want.map((e) => e.i))
    assert.deepEqual(Array.from(got.y0.data as ArrayLike<number | bigint>, BigInt), want.map((e) => e.v))
  }
  // the heap path (k much smaller than the axis) against the sort path, on many ties
  const wide = random(DT.INT32, [1, 5000], 2)
  const few = oneNode('TopK', [wide, int64s([33])], [DT.INT32, DT.INT64])
  await agreesWithOrt('TopK', [wide, int64s([33])], [DT.INT32, DT.INT64], [], 13, 'TopK heap path')
  assert.equal(runInterpreter(few.bytes, few.feeds).y1.data.length, 33)
  const tooMany = oneNode('TopK', [random(DT.INT32, [4]), int64s([5])], [DT.INT32, DT.INT64])
  assert.throws(() => runInterpreter(tooMany.bytes, tooMany.feeds), (e: unknown) => e instanceof GraphError && /K = 5 is not within \[0, 4\]/.test(e.message))
})

test('Reshape, Transpose, Unsqueeze, Squeeze, Identity, Concat as onnxruntime', async () => {
  for (const type of [DT.UINT8, DT.INT32, DT.INT64, DT.BOOL]) {
    const x = random(type, [2, 3, 4])
    const t = ORT_NAME[type]
    for (const shape of [[4, 6], [0, -1], [-1], [2, 0, 2, 2], [24, 1]]) await agreesWithOrt('Reshape', [x, int64s(shape)], [type], [], 13, `Reshape ${t} ${shape}`)
    await agreesWithOrt('Reshape', [random(type, [2, 0, 3]), int64s([0, 3])], [type], [['allowzero', 1]], 14, `Reshape ${t} allowzero`)
    await agreesWithOrt('Transpose', [x], [type], [], 13, `Transpose ${t} default`)
    await agreesWithOrt('Transpose', [x], [type], [['perm', [1, 2, 0]]], 13, `Transpose ${t} perm`)
    await agreesWithOrt('Unsqueeze', [x, int64s([0, -1])], [type], [], 13, `Unsqueeze ${t}`)
    await agreesWithOrt('Unsqueeze', [x], [type], [['axes', [1, 4]]], 11, `Unsqueeze ${t} opset 11`)
    const ones = random(type, [1, 3, 1, 2])
    await agreesWithOrt('Squeeze', [ones], [type], [], 13, `Squeeze ${t} all`)
    await agreesWithOrt('Squeeze', [ones, int64s([-2])], [type], [], 13, `Squeeze ${t} one axis`)
    await agreesWithOrt('Squeeze', [ones], [type], [['axes', [0]]], 11, `Squeeze ${t} opset 11`)
    await agreesWithOrt('Identity', [x], [type], [], 13, `Identity ${t}`)
    await agreesWithOrt('Concat', [x, random(type, [2, 1, 4]), random(type, [2, 2, 4])], [type], [['axis', 1]], 13, `Concat ${t} axis 1`)
    await agreesWithOrt('Concat', [x, random(type, [2, 3, 2])], [type], [['axis', -1]], 13, `Concat ${t} axis -1`)
  }
  const bad = oneNode('Squeeze', [random(DT.INT32, [2, 3]), int64s([0])], [DT.INT32])
  assert.throws(() => runInterpreter(bad.bytes, bad.feeds), /axis 0 has dimension 2, not 1/)
})

test('Slice: negative, clamped and out-of-range starts and ends, axes, negative steps, as onnxruntime', async () => {
  const x = random(DT.INT32, [5, 6, 7])
  const MAX = (1n << 63n) - 1n
  const MIN = -(1n << 63n)
  const cases: Array<[Array<number | bigint>, Array<number | bigint>, Array<number | bigint> | undefined, Array<number | bigint> | undefined]> = [
    [[1], [4], undefined, undefined],
    [[0, 2], [MAX, -1], [0, 2], undefined],
    [[-3], [MAX], [-1], undefined],
    [[-100], [100], [1], [2]],
    [[MAX], [MIN], [0], [-1]],
    [[4, -1], [0, 2], [0, 1], [-2, -1]],
    [[3], [3], [2], undefined],
    [[1, 0, 0], [MAX, MAX, MAX], [0, 1, 2], [3, 4, 10]],
    [[6], [-10], [2], [-3]],
  ]
  for (const [starts, ends, axes, steps] of cases) {
    const label = `Slice ${starts} ${ends} ${axes} ${steps}`
    await agreesWithOrt('Slice', [x, int64s(starts), int64s(ends), axes === undefined ? undefined : int64s(axes), steps === undefined ? undefined : int64s(steps)], [DT.INT32], [], 13, label)
  }
  // int32 index inputs
  await agreesWithOrt('Slice', [x, int32s([-2]), int32s([2147483647]), int32s([1])], [DT.INT32], [], 13, 'Slice int32 indices')
  const zero = oneNode('Slice', [x, int64s([0]), int64s([3]), int64s([0]), int64s([0])], [DT.INT32])
  assert.throws(() => runInterpreter(zero.bytes, zero.feeds), /a step cannot be 0/)
})

test('Gather and Shape as onnxruntime', async () => {
  for (const type of [DT.INT8, DT.UINT64, DT.BOOL]) {
    const x = random(type, [4, 5, 3])
    await agreesWithOrt('Gather', [x, int64s([3, -1, 0, 0])], [type], [], 13, `Gather ${ORT_NAME[type]} axis 0`)
    await agreesWithOrt('Gather', [x, int32s([4, -5, 2, 1], [2, 2])], [type], [['axis', 1]], 13, `Gather ${ORT_NAME[type]} axis 1, 2-D int32 indices`)
    await agreesWithOrt('Gather', [x, int64s([2], [])], [type], [['axis', -1]], 13, `Gather ${ORT_NAME[type]} scalar index`)
    await agreesWithOrt('Shape', [x], [DT.INT64], [], 13, 'Shape')
    for (const [start, end] of [[1, 3], [-2, 100], [0, -1], [-10, 1]]) await agreesWithOrt('Shape', [x], [DT.INT64], [['start', start], ['end', end]], 15, `Shape ${start} ${end}`)
  }
  const out = oneNode('Gather', [random(DT.INT32, [3]), int64s([3])], [DT.INT32])
  assert.throws(() => runInterpreter(out.bytes, out.feeds), (e: unknown) => e instanceof GraphError && /index 3 is out of range for dimension 3/.test(e.message))
})

test('a graph of several ops with initializers, as onnxruntime: per-dimension weights on the dot product', async () => {
  const D = 16
  const N = 30
  const weights = int32s(Array.from({ length: D }, (_, i) => (i % 4) + 1), [D, 1])
  const bytes = graphBytes({
    inputs: [['query', DT.UINT8], ['candidates', DT.UINT8]],
    outputs: [['s', DT.INT32], ['best', DT.INT32], ['at', DT.INT64]],
    initializers: [['w', weights], ['shift', int32s([128], [])], ['k', int64s([5])], ['axes', int64s([0])]],
    nodes: [
      { op: 'Cast', inputs: ['query'], outputs: ['q32'], attrs: [['to', DT.INT32]] },
      { op: 'Sub', inputs: ['q32', 'shift'], outputs: ['q'] },
      { op: 'Transpose', inputs: ['q'], outputs: ['qt'] },
      { op: 'Cast', inputs: ['candidates'], outputs: ['c32'], attrs: [['to', DT.INT32]] },
      { op: 'Sub', inputs: ['c32', 'shift'], outputs: ['c'] },
      { op: 'Mul', inputs: ['c', 'w'], outputs: ['cw'] },
      { op: 'Mul', inputs: ['cw', 'qt'], outputs: ['p'] },
      { op: 'ReduceSum', inputs: ['p', 'axes'], outputs: ['s'], attrs: [['keepdims', 1]] },
      { op: 'TopK', inputs: ['s', 'k'], outputs: ['best', 'at'] },
    ],
  })
  const feeds = { query: random(DT.UINT8, [1, D]), candidates: random(DT.UINT8, [D, N]) }
  const got = runInterpreter(bytes, feeds)
  assertSameTensors(got, await runOrt(bytes, feeds), 'weighted graph')
  for (let n = 0; n < N; n++) {
    let s = 0
    for (let j = 0; j < D; j++) s += (Number(feeds.query.data[j]) - 128) * (Number(feeds.candidates.data[j * N + n]) - 128) * ((j % 4) + 1)
    assert.equal(got.s.data[n], s)
  }
})

test('the default graph through the interpreter gives the reference scores, ties included', () => {
  const graph = compileGraph(defaultGraphTemplate())
  const dim = 48
  const n = 300
  const rows = Int8Array.from(prngBytes(Uint8Array.of(7), n * dim))
  // duplicated and extreme rows: ties at every rank
  for (let i = 0; i < 20; i++) rows.copyWithin((280 + i) * dim, (i % 4) * dim, (i % 4 + 1) * dim)
  rows.fill(127, 0, dim)
  rows.fill(-128, dim, 2 * dim)
  const columns = new Uint8Array(dim * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) columns[j * n + i] = rows[i * dim + j] + 128
  const queries = [rows.subarray(0, dim), rows.subarray(dim, 2 * dim), rows.subarray(2 * dim, 3 * dim), ...Array.from({ length: 8 }, (_, i) => Int8Array.from(prngBytes(Uint8Array.of(8, i), dim)))]
  for (const [qi, q] of queries.entries()) {
    for (const k of [1, 8, 32]) {
      const out = graph.run({
        query: tensorOf(DT.UINT8, [1, dim], Array.from(q, (v) => v + 128)),
        candidates: { type: DT.UINT8, dims: [dim, n], data: columns },
        k: int64s([k + 1]),
      })
      // the interpreter's TopK is the consensus order itself: ties to the lower index
      const got = Array.from(out.indices.data as BigInt64Array, (at, i) => ({ index: Number(at), score: out.scores.data[i] as number })).slice(0, k).filter((e) => e.score > 0)
      assert.deepEqual(got, scoreReference(rows, dim, q, k), `query ${qi}, k ${k}`)
    }
  }
})

test('what the interpreter cannot run is refused with a reason, never guessed', () => {
  const refuses = (bytes: Uint8Array, pattern: RegExp) => assert.throws(() => compileGraph(bytes), (e: unknown) => e instanceof GraphError && pattern.test(e.message), String(pattern))
  const x = random(DT.INT32, [2])
  refuses(oneNode('Softmax', [x], [DT.INT32]).bytes, /operation Softmax is not one this interpreter runs/)
  refuses(oneNode('Add', [x, x], [DT.INT32], [], MAX_OPSET + 1).bytes, new RegExp(`opset ${MAX_OPSET + 1} is not one this interpreter implements`))
  refuses(oneNode('Add', [x, x], [DT.INT32], [], 10).bytes, /opset 10 is not one/)
  refuses(oneNode('Add', [x, x], [DT.INT32], [['broadcast', 1]]).bytes, /attribute broadcast is not one this interpreter implements/)
  refuses(oneNode('Add', [x, random(DT.INT64, [2])], [DT.INT32]).bytes, /inputs of different types/)
  refuses(oneNode('ReduceSum', [random(DT.INT8, [2])], [DT.INT8]).bytes, /int8 is not allowed/)
  refuses(oneNode('Cast', [x], [DT.INT32]).bytes, /attribute to is required/)
  refuses(oneNode('Identity', [x], [DT.INT64]).bytes, /output y0 is declared int64 but computed as int32/)
  refuses(graphBytes({ inputs: [['x', DT.INT32]], outputs: [['y', DT.INT32]], nodes: [{ op: 'Identity', inputs: ['nowhere'], outputs: ['y'] }] }), /reads nowhere before any node or input defines it/)
  // inputs must be given as declared
  const id = oneNode('Identity', [x], [DT.INT32])
  assert.throws(() => compileGraph(id.bytes).run({}), /input x0 is not given/)
  assert.throws(() => compileGraph(id.bytes).run({ x0: random(DT.INT64, [2]) }), /declared int32 but given int64/)
})

test('a strided read is charged by how far apart its reads are, a Gather index as a block from anywhere', () => {
  const spentOn = (op: string, inputs: Tensor[], type: number, attrs: Attr[] = []) => {
    const { bytes, feeds } = oneNode(op, inputs, [type], attrs)
    const spent = { work: 0 }
    compileGraph(bytes).run(feeds, undefined, spent)
    return spent.work
  }
  // (onnx/ops/cost.ts) each element written 1; per element read: 1 contiguous, else
  // ⌈17 × min(stride bytes, 64) / 64⌉; per innermost row 20
  const x = random(DT.INT32, [64, 32])
  // perm [1, 0]: innermost reads 32 int32 = 128 bytes apart, a line each
  assert.equal(spentOn('Transpose', [x], DT.INT32, [['perm', [1, 0]]]), 2048 + 2048 * 17 + 32 * 20)
  // perm [0, 1]: contiguous
  assert.equal(spentOn('Transpose', [x], DT.INT32, [['perm', [0, 1]]]), 2048 + 2048 + 64 * 20)
  // every other int32 of a row: 8 bytes apart, ⌈17 × 8 / 64⌉ = 3
  assert.equal(spentOn('Slice', [x, int64s([0]), int64s([32]), int64s([1]), int64s([2])], DT.INT32), 1024 + 1024 * 3 + 64 * 20)
  // int64 2 apart: 16 bytes, ⌈4.25⌉ = 5, above the 3 of a 64-bit element
  assert.equal(spentOn('Slice', [random(DT.INT64, [64, 32]), int64s([0]), int64s([32]), int64s([1]), int64s([2])], DT.INT64), 1024 + 1024 * 5 + 64 * 20)
  // Gather of 10 int64 indices along axis 0 of [64, 32]: each converted (24) and a block (240)
  assert.equal(spentOn('Gather', [x, int64s([0, 5, 63, 1, 2, 3, 4, 6, 7, 8])], DT.INT32), 10 * 24 + 320 + 10 * 240)
})

test('a run stops at its work and memory bounds, at the same place on every node', () => {
  const { bytes, feeds } = oneNode('MatMulInteger', [random(DT.UINT8, [4, 100]), random(DT.UINT8, [100, 50])], [DT.INT32])
  const graph = compileGraph(bytes)
  // 4·100·50 multiply-adds, 200 elements written, and the walk (onnx/ops/cost.ts): a batch row
  // (20), 50 zero points, per row of A 20 + 2·100 + 25 passes of 20
  const work = 4 * 100 * 50 + 200 + 20 + 50 + 4 * (20 + 200 + 25 * 20)
  assert.doesNotThrow(() => graph.run(feeds, { maxWork: work, maxLiveBytes: 1400 }))
  assert.throws(() => graph.run(feeds, { maxWork: work - 1, maxLiveBytes: 1400 }), (e: unknown) => e instanceof GraphError && new RegExp(`more than ${work - 1} units of work`).test(e.message))
  // 800 bytes of output and 4·(50 + 100) of scratch
  assert.throws(() => graph.run(feeds, { maxWork: 1e9, maxLiveBytes: 1399 }), (e: unknown) => e instanceof GraphError && /more than 1399 bytes of tensors/.test(e.message))
  // doubling by Concat: refused before the memory is taken
  const doubling = graphBytes({
    inputs: [['x', DT.INT64]],
    outputs: [['y', DT.INT64]],
    nodes: Array.from({ length: 40 }, (_, i) => ({ op: 'Concat', inputs: [i === 0 ? 'x' : `c${i - 1}`, i === 0 ? 'x' : `c${i - 1}`], outputs: [i === 39 ? 'y' : `c${i}`], attrs: [['axis', 0] as Attr] })),
  })
  assert.throws(() => compileGraph(doubling).run({ x: int64s([1, 2]) }, { maxWork: 1e12, maxLiveBytes: 1 << 20 }), /bytes of tensors at once/)
  // intermediate tensors are dropped after their last reader: a chain of casts stays within one or two
  const chain = graphBytes({
    inputs: [['x', DT.INT32]],
    outputs: [['y', DT.INT32]],
    nodes: Array.from({ length: 20 }, (_, i) => ({ op: 'Cast', inputs: [i === 0 ? 'x' : `t${i - 1}`], outputs: [i === 19 ? 'y' : `t${i}`], attrs: [['to', DT.INT32] as Attr] })),
  })
  assert.doesNotThrow(() => compileGraph(chain).run({ x: random(DT.INT32, [100]) }, { maxWork: 1e9, maxLiveBytes: 800 }))
})
