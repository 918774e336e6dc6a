import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { compileInterfaces } from '../../../precompiles/abi/compile.ts'

test('the committed ABI JSON is exactly what the Solidity interfaces compile to', () => {
  const dir = new URL('../../../precompiles/solidity/', import.meta.url).pathname
  const compiled = compileInterfaces(readdirSync(dir).filter((f) => f.endsWith('.sol')).map((f) => dir + f))
  for (const name of ['DatanetRegistry', 'ModelRegistry', 'AdapterRegistry', 'InferenceNodes', 'Receipts', 'Attribution']) {
    const committed = JSON.parse(readFileSync(new URL(`../../../precompiles/abi/${name}.json`, import.meta.url), 'utf8'))
    assert.deepEqual(committed, compiled[`I${name}`], `${name}.json is stale: run node precompiles/abi/generate.ts`)
  }
})
