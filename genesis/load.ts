// Loads a genesis file in either format and validates it.
import { readFile } from 'node:fs/promises'
import { GenesisError } from './errors.ts'
import { isGethGenesis, parseGethGenesis } from './gethFormat.ts'
import { isOpalGenesis, parseOpalGenesis } from './opalFormat.ts'
import type { Genesis } from './types.ts'

export function parseGenesis(json: unknown): Genesis {
  if (isGethGenesis(json)) return parseGethGenesis(json)
  if (isOpalGenesis(json)) return parseOpalGenesis(json)
  throw new GenesisError('(root)', 'not a genesis: expected an opal genesis (with "chainId") or a geth genesis (with "config.chainId")')
}

export async function loadGenesisFile(path: string): Promise<Genesis> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new GenesisError('(file)', `cannot read ${path}: ${(err as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new GenesisError('(file)', `${path} is not valid JSON: ${(err as Error).message}`)
  }
  return parseGenesis(json)
}
