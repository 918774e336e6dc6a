import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { DEFAULT_GRAPH_FILE, DEFAULT_GRAPH_ID, GraphRejected, defaultGraphTemplate, graphId, validateScoringGraph } from '../../../../precompiles/attribution/index.ts'
import { onnx } from '../../../../precompiles/attribution/onnx/proto.ts'
import type { OnnxNs } from '../../../../precompiles/attribution/onnx/proto.ts'

const T = onnx.TensorProto.DataType

/** The default template, changed by `edit`, re-encoded. */
function variant(edit: (g: OnnxNs.GraphProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(defaultGraphTemplate())
  edit(model.graph as OnnxNs.GraphProto)
  return onnx.ModelProto.encode(model).finish()
}

function rejects(bytes: Uint8Array, message: RegExp): void {
  assert.throws(() => validateScoringGraph(bytes), (e: unknown) => e instanceof GraphRejected && message.test(e.message))
}

const inputsOf = (n: OnnxNs.INodeProto) => n.input as string[]
const elemType = (g: OnnxNs.GraphProto, name: string) => g.input.find((i) => i.name === name)?.type?.tensorType as OnnxNs.TypeProto.Tensor

test('the checked-in default graph is the template, passes admission, and has the exported id', () => {
  const file = new Uint8Array(readFileSync(DEFAULT_GRAPH_FILE))
  const template = new Uint8Array(defaultGraphTemplate())
  assert.deepEqual(file, template, 'regenerate with: npx node precompiles/attribution/onnx/generate.ts')
  validateScoringGraph(file)
  assert.equal(graphId(file), DEFAULT_GRAPH_ID)
  assert.match(DEFAULT_GRAPH_ID, /^0x[0-9a-f]{64}$/)
})

test('MatMulInteger takes only uint8 × uint8: an int8 operand is refused, naming the node', () => {
  rejects(variant((g) => { elemType(g, 'candidates').elemType = T.INT8 }), /MatMulInteger dots: operand B \(candidates\) is INT8/)
  rejects(variant((g) => { elemType(g, 'query').elemType = T.INT8 }), /MatMulInteger dots: operand A \(query\) is INT8/)
  rejects(
    variant((g) => { g.initializer.push(onnx.TensorProto.create({ name: 'zp8', dataType: T.INT8, dims: [], rawData: Uint8Array.of(0) })); inputsOf(g.node[0])[3] = 'zp8' }),
    /MatMulInteger dots: operand b_zero_point \(zp8\) is INT8/,
  )
})

test('element types propagate: a Cast to int8 behind an Identity still reaches MatMulInteger', () => {
  const bytes = variant((g) => {
    g.node.unshift(
      onnx.NodeProto.create({ opType: 'Cast', name: 'narrow', input: ['candidates'], output: ['signed'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.INT8 }] }),
      onnx.NodeProto.create({ opType: 'Identity', name: 'same', input: ['signed'], output: ['innocent'] }),
    )
    inputsOf(g.node[2])[1] = 'innocent'
  })
  rejects(bytes, /MatMulInteger dots: operand B \(innocent\) is INT8/)
  // the same chain casting to uint8 is fine
  const fine = onnx.ModelProto.decode(bytes)
  ;((fine.graph as OnnxNs.GraphProto).node[0].attribute as OnnxNs.IAttributeProto[])[0].i = T.UINT8
  validateScoringGraph(onnx.ModelProto.encode(fine).finish())
})

test('floats, undefined tensors and type mismatches are refused by name', () => {
  rejects(
    variant((g) => { g.node.push(onnx.NodeProto.create({ opType: 'Cast', name: 'tofloat', input: ['scores'], output: ['f'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }] })) }),
    /Cast tofloat casts to a non-integer type/,
  )
  rejects(variant((g) => { elemType(g, 'k').elemType = T.FLOAT }), /tensor k is of a non-integer type \(FLOAT\)/)
  rejects(variant((g) => { inputsOf(g.node[1])[0] = 'nowhere' }), /TopK topk reads nowhere before any node or input defines it/)
  rejects(variant((g) => { (g.output[0].type?.tensorType as OnnxNs.TypeProto.Tensor).elemType = T.INT64 }), /tensor scores is declared INT64 but computed as INT32/)
  // nodes out of order: the clamp before the TopK that feeds it
  rejects(variant((g) => { g.node.reverse() }), /Max clamp reads best before/)
})
