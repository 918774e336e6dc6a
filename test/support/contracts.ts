// Compiled test contracts, compiled once per process.
import { compileSolidity } from './solc.ts'
import type { Compiled } from './solc.ts'

const compiled = new Map<string, Compiled>()

function fixture(name: string): Compiled {
  let c = compiled.get(name)
  if (c === undefined) {
    c = compileSolidity(new URL(`../fixtures/${name}.sol`, import.meta.url).pathname, name, [new URL('../../precompiles/solidity', import.meta.url).pathname])
    compiled.set(name, c)
  }
  return c
}

export const tokenContract = (): Compiled => fixture('Token')
export const delegateContract = (): Compiled => fixture('Delegate')
export const readerContract = (): Compiled => fixture('Reader')
export const registryUserContract = (): Compiled => fixture('RegistryUser')
export const attributionUserContract = (): Compiled => fixture('AttributionUser')
export const graphUserContract = (): Compiled => fixture('GraphUser')

export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
] as const
