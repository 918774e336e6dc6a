// Writes the default scoring graph to graphs/opal-attribution-v1.onnx and prints its id, the
// keccak256 of its bytes (what a genesis or a model registration names):
//   npx node precompiles/attribution/onnx/generate.ts
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DEFAULT_GRAPH_FILE, graphId } from './defaultGraph.ts'
import { defaultGraphTemplate } from './graph.ts'
import { validateScoringGraph } from './validate.ts'

const bytes = defaultGraphTemplate()
validateScoringGraph(bytes)
writeFileSync(DEFAULT_GRAPH_FILE, bytes)
process.stdout.write(`${fileURLToPath(DEFAULT_GRAPH_FILE)} (${bytes.length} bytes)\n${graphId(bytes)}\n`)
