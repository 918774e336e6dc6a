// Writes the ABI JSON of every precompile interface in ../solidity by compiling them with solc:
// the Solidity interfaces are the single source; test/unit/precompiles/abi.test.ts checks the
// committed JSON still matches them.
//   node precompiles/abi/generate.ts
import { readdirSync, writeFileSync } from 'node:fs'
import { compileInterfaces } from './compile.ts'

const dir = new URL('../solidity/', import.meta.url).pathname
for (const [name, abi] of Object.entries(compileInterfaces(readdirSync(dir).filter((f) => f.endsWith('.sol')).map((f) => dir + f)))) {
  if (name === 'IOpalPrecompile') continue
  const out = new URL(`./${name.replace(/^I/, '')}.json`, import.meta.url).pathname
  writeFileSync(out, `${JSON.stringify(abi, null, 2)}\n`)
  process.stdout.write(`${out}\n`)
}
