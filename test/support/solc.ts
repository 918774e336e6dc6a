// Compiles a Solidity file with the solc npm package (offline, no native toolchain).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename } from 'node:path'

export interface Compiled {
  abi: unknown[]
  bytecode: `0x${string}`
}

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>
}

export function compileSolidity(path: string, contract: string, includeDirs: string[] = []): Compiled {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string, opts?: { import: (p: string) => unknown }): string }
  const file = basename(path)
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: readFileSync(path, 'utf8') } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  }
  // imports are looked up by file name in the include directories
  const findImports = (p: string) => {
    for (const dir of includeDirs) {
      try {
        return { contents: readFileSync(`${dir}/${basename(p)}`, 'utf8') }
      } catch {
        // not in this directory
      }
    }
    return { error: `import not found: ${p}` }
  }
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const c = out.contracts[file][contract]
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
}
