// A scan of a model's protobuf wire format before protobufjs decodes it. protobufjs decodes nested
// messages (and skips unknown groups) by recursion, so a deeply nested field — even one nobody
// reads — overflows the stack or not depending on how warm the JIT is: the same bytes registered on
// one node and refused on another. This scan walks the bytes with an explicit stack and refuses,
// the same on every machine:
//   - messages nested deeper than MAX_MESSAGE_DEPTH (a real scoring graph needs at most 6:
//     Model → Graph → ValueInfo → Type → Type.Tensor → TensorShape → Dimension);
//   - graph-valued attributes, training_info and functions (sub-graphs the interpreter never runs);
//   - groups and unknown wire types, and any known field whose wire type is not the one protobufjs
//     reads it with: otherwise protobufjs and this scan could split the bytes differently, and
//     protobufjs would decode a nesting the scan never saw.
// What it accepts, protobufjs decodes along exactly the fields the scan walked.

import { onnx } from './proto.ts'
import type { OnnxNs } from './proto.ts'

export const MAX_MESSAGE_DEPTH = 8

/** How protobufjs (onnx-proto) reads a field: a sub-message, bytes or a string, or a scalar (packed when repeated). */
type Field =
  | { msg: string }
  | { len: true }
  | { scalar: 'varint' | 'i32' | 'i64'; packed: boolean }
  | { refused: string }

const M = (msg: string): Field => ({ msg })
const L: Field = { len: true }
const V: Field = { scalar: 'varint', packed: false }
const VP: Field = { scalar: 'varint', packed: true }
const F32: Field = { scalar: 'i32', packed: false }
const F32P: Field = { scalar: 'i32', packed: true }
const F64P: Field = { scalar: 'i64', packed: true }

// Field numbers and the reader onnx-proto's generated decoders use for each (dist/onnx.js);
// fields not listed are skipped by protobufjs, and by this scan, as opaque.
const SCHEMA: Readonly<Record<string, Readonly<Record<number, Field>>>> = {
  ModelProto: { 1: V, 2: L, 3: L, 4: L, 5: V, 6: L, 7: M('GraphProto'), 8: M('OperatorSetIdProto'), 14: M('StringStringEntryProto'), 20: { refused: 'training_info' }, 25: { refused: 'functions' } },
  GraphProto: { 1: M('NodeProto'), 2: L, 5: M('TensorProto'), 10: L, 11: M('ValueInfoProto'), 12: M('ValueInfoProto'), 13: M('ValueInfoProto'), 14: M('TensorAnnotation'), 15: M('SparseTensorProto') },
  NodeProto: { 1: L, 2: L, 3: L, 4: L, 5: M('AttributeProto'), 6: L, 7: L },
  AttributeProto: { 1: L, 2: F32, 3: V, 4: L, 5: M('TensorProto'), 6: { refused: 'a graph-valued attribute (g)' }, 7: F32P, 8: VP, 9: L, 10: M('TensorProto'), 11: { refused: 'a graph-valued attribute (graphs)' }, 13: L, 14: M('TypeProto'), 15: M('TypeProto'), 20: V, 21: L, 22: M('SparseTensorProto'), 23: M('SparseTensorProto') },
  ValueInfoProto: { 1: L, 2: M('TypeProto'), 3: L },
  StringStringEntryProto: { 1: L, 2: L },
  TensorAnnotation: { 1: L, 2: M('StringStringEntryProto') },
  TensorProto: { 1: VP, 2: V, 3: M('TensorProto.Segment'), 4: F32P, 5: VP, 6: L, 7: VP, 8: L, 9: L, 10: F64P, 11: VP, 12: L, 13: M('StringStringEntryProto'), 14: V },
  'TensorProto.Segment': { 1: V, 2: V },
  SparseTensorProto: { 1: M('TensorProto'), 2: M('TensorProto'), 3: VP },
  TensorShapeProto: { 1: M('TensorShapeProto.Dimension') },
  'TensorShapeProto.Dimension': { 1: V, 2: L, 3: L },
  TypeProto: { 1: M('TypeProto.Tensor'), 4: M('TypeProto.Sequence'), 5: M('TypeProto.Map'), 6: L, 8: M('TypeProto.SparseTensor'), 9: M('TypeProto.Optional') },
  'TypeProto.Tensor': { 1: V, 2: M('TensorShapeProto') },
  'TypeProto.Sequence': { 1: M('TypeProto') },
  'TypeProto.Map': { 1: V, 2: M('TypeProto') },
  'TypeProto.Optional': { 1: M('TypeProto') },
  'TypeProto.SparseTensor': { 1: V, 2: M('TensorShapeProto') },
  OperatorSetIdProto: { 1: L, 2: V },
}

class Refused extends Error {}

/**
 * The model in `bytes`: scanned, then decoded by protobufjs. `fail` makes the error the caller
 * throws (registration refuses, the interpreter cannot run).
 */
export function decodeModel(bytes: Uint8Array, fail: (message: string) => Error): OnnxNs.ModelProto {
  const problem = wireFormatProblem(bytes)
  if (problem !== undefined) throw fail(`not an acceptable ONNX model: ${problem}`)
  try {
    return onnx.ModelProto.decode(bytes)
  } catch (err) {
    throw fail(`not an ONNX model: ${(err as Error).message}`)
  }
}

/** Why protobufjs must not decode `bytes` as a ModelProto, or undefined if it may. */
export function wireFormatProblem(bytes: Uint8Array): string | undefined {
  try {
    scan(bytes)
    return undefined
  } catch (err) {
    if (err instanceof Refused) return err.message
    throw err
  }
}

interface Frame {
  type: string
  end: number
  depth: number
}

function scan(bytes: Uint8Array): void {
  let pos = 0
  // a varint of at most 10 bytes (as protobufjs reads them) ending by `limit`, as a number (exact below 2⁵³; larger values are only compared)
  const varint = (limit: number): number => {
    let v = 0
    for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
      if (pos >= limit) throw new Refused(`a varint runs past its message at byte ${pos}`)
      const b = bytes[pos++]
      v += (b & 0x7f) * scale
      if (b < 0x80) return v
    }
    throw new Refused(`a varint longer than 10 bytes at byte ${pos}`)
  }
  const stack: Frame[] = [{ type: 'ModelProto', end: bytes.length, depth: 0 }]
  while (stack.length > 0) {
    const top = stack[stack.length - 1]
    if (pos === top.end) {
      stack.pop()
      continue
    }
    const at = pos
    const tag = varint(top.end)
    if (tag >= 2 ** 32) throw new Refused(`a field tag beyond 32 bits at byte ${at}`)
    const number = Math.floor(tag / 8)
    const wire = tag % 8
    if (number === 0) throw new Refused(`field number 0 at byte ${at}`)
    const field = SCHEMA[top.type][number]
    const where = `${top.type} field ${number}`
    if (field !== undefined && 'refused' in field) throw new Refused(`${where}: ${field.refused} is not accepted in a scoring graph`)
    const mismatch = () => new Refused(`${where} has wire type ${wire}, not the one it is decoded with`)
    switch (wire) {
      case 0:
        if (field !== undefined && !('scalar' in field && field.scalar === 'varint')) throw mismatch()
        varint(top.end)
        break
      case 1:
      case 5: {
        if (field !== undefined && !('scalar' in field && field.scalar === (wire === 1 ? 'i64' : 'i32'))) throw mismatch()
        const width = wire === 1 ? 8 : 4
        if (top.end - pos < width) throw new Refused(`${where} runs past its message`)
        pos += width
        break
      }
      case 2: {
        const length = varint(top.end)
        if (length > top.end - pos) throw new Refused(`${where} runs past its message`)
        const end = pos + length
        if (field === undefined || 'len' in field) {
          pos = end
        } else if ('msg' in field) {
          if (top.depth + 1 > MAX_MESSAGE_DEPTH) throw new Refused(`messages nested deeper than ${MAX_MESSAGE_DEPTH} (${field.msg} in ${top.type})`)
          stack.push({ type: field.msg, end, depth: top.depth + 1 })
        } else if (field.packed) {
          // protobufjs reads packed values until it reaches the end: they must end exactly there
          if (field.scalar === 'varint') while (pos < end) varint(end)
          else if (length % (field.scalar === 'i64' ? 8 : 4) !== 0) throw new Refused(`${where}: packed values do not fill its length`)
          pos = end
        } else {
          throw mismatch()
        }
        break
      }
      default:
        throw new Refused(`wire type ${wire} (groups are not used by ONNX) at byte ${at}`)
    }
  }
}
