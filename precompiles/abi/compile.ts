// Compiles Solidity interface files with the solc npm package and returns each interface's ABI.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename } from 'node:path'

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>
  contracts: Record<string, Record<string, { abi: unknown[] }>>
}

export function compileInterfaces(paths: string[]): Record<string, unknown[]> {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string, opts?: { import: (p: string) => unknown }): string }
  const sources = Object.fromEntries(paths.map((p) => [basename(p), { content: readFileSync(p, 'utf8') }]))
  const findImports = (path: string) => {
    const hit = paths.find((p) => basename(p) === basename(path))
    return hit === undefined ? { error: `not found: ${path}` } : { contents: readFileSync(hit, 'utf8') }
  }
  const input = JSON.stringify({ language: 'Solidity', sources, settings: { outputSelection: { '*': { '*': ['abi'] } } } })
  const out = JSON.parse(solc.compile(input, { import: findImports })) as SolcOutput
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const abis: Record<string, unknown[]> = {}
  for (const file of Object.values(out.contracts)) for (const [name, c] of Object.entries(file)) abis[name] = c.abi
  return abis
}
