// The ONNX protobuf schema (onnx-proto), loaded once.
import { createRequire } from 'node:module'
import type { onnx as OnnxNs } from 'onnx-proto'

export const onnx = (createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs }).onnx
export type { OnnxNs }
