// Shared set-up for chain tests: a real chain on a temporary LevelDB with the dev genesis.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTx, TransactionType } from '@ethereumjs/tx'
import type { TypedTransaction } from '@ethereumjs/tx'
import { pino } from 'pino'
import { BlockProducer, Chain, TxPool, chainPoolBackend, loadCrypto } from '../../../chain/index.ts'
import type { TxPoolOptions } from '../../../chain/index.ts'
import { devAccount, devGenesis } from '../../../genesis/index.ts'
import type { Genesis } from '../../../genesis/index.ts'

export const silent = pino({ level: 'silent' })

/** A seeded generator of integers in [0, n) (an LCG): the same sequence in every run. */
export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return Math.floor((s / 2 ** 32) * n)
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'opal-test-'))
}

export function fixedGenesis(overrides: Partial<Genesis> = {}): Genesis {
  return { ...devGenesis({ timestamp: 1_700_000_000n }), ...overrides }
}

export async function openChain(dataDir = tempDir(), genesis = fixedGenesis(), opts: { archive?: boolean; stateWindow?: number } = {}) {
  return Chain.open({ dataDir, genesis, crypto: await loadCrypto(), ...opts })
}

export async function openNode(dataDir = tempDir(), genesis = fixedGenesis(), poolOpts: Partial<TxPoolOptions> = {}) {
  const chain = await openChain(dataDir, genesis)
  const pool = new TxPool(chain.common, chainPoolBackend(chain), poolOpts)
  const producer = new BlockProducer(chain, pool, { coinbase: genesis.feeRecipient }, silent)
  await producer.init()
  return { chain, pool, producer, dataDir, genesis }
}

export const key = (i: number): Uint8Array => Buffer.from(devAccount(i).privateKey.slice(2), 'hex')
export const addr = (i: number): Uint8Array => Buffer.from(devAccount(i).address.slice(2), 'hex')
export const DEAD = '0x000000000000000000000000000000000000dead' as const

export interface TxOpts {
  from?: number
  nonce: number | bigint
  to?: `0x${string}`
  value?: bigint
  gas?: bigint
  maxFee?: bigint
  tip?: bigint
  data?: Uint8Array
  type?: number
  chainId?: bigint
}

export function transfer(chain: Chain, o: TxOpts): TypedTransaction {
  const type = o.type ?? TransactionType.FeeMarketEIP1559
  const fees = type === TransactionType.FeeMarketEIP1559
    ? { maxFeePerGas: o.maxFee ?? 2_000_000_000n, maxPriorityFeePerGas: o.tip ?? 1_000_000n }
    : { gasPrice: o.maxFee ?? 2_000_000_000n }
  return createTx(
    { type, nonce: BigInt(o.nonce), to: o.to ?? DEAD, value: o.value ?? 1n, gasLimit: o.gas ?? 21_000n, data: o.data, chainId: o.chainId ?? chain.chainId, ...fees },
    { common: chain.common },
  ).sign(key(o.from ?? 0))
}
