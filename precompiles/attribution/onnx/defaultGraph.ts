// The default scoring graph as a file and an id. The file is generated from defaultGraphTemplate()
// (onnx/generate.ts) and checked in so that the bytes a chain refers to can be read and reviewed;
// a unit test keeps the file, the template and DEFAULT_GRAPH_ID in step.
import { keccak_256 } from '@noble/hashes/sha3.js'

export const DEFAULT_GRAPH_FILE = new URL('../graphs/opal-attribution-v1.onnx', import.meta.url)

/** keccak256 of the default graph's bytes */
export const DEFAULT_GRAPH_ID: `0x${string}` = '0x7c3c2721f25fd0bc6ed14e6a42f0bec430f0d691fa82bf18e1f7fb1262251ffb'

/** The id of a scoring graph: keccak256 of its bytes, 0x-prefixed hex. */
export function graphId(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(keccak_256(bytes)).toString('hex')}`
}
