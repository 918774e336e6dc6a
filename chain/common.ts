// The chain's rule set: Cancun with EIP-7702 (set-code transactions), every fork active from
// block 0. Prague is left out on purpose: its additions besides 7702 are beacon-chain requests
// (EIP-6110/7002/7251) that have no meaning on this rollup.
import { Hardfork, Mainnet, createCustomCommon } from '@ethereumjs/common'
import type { Common } from '@ethereumjs/common'
import type { OpalCrypto } from './crypto.ts'

export const HARDFORK = Hardfork.Cancun
const EXTRA_EIPS = [7702]

export function createChainCommon(chainId: bigint, crypto: OpalCrypto): Common {
  const hardforks = []
  for (const hf of Mainnet.hardforks) {
    hardforks.push({ name: hf.name, block: 0, timestamp: undefined })
    if (hf.name === HARDFORK) break
  }
  return createCustomCommon(
    { name: `opal-${chainId}`, chainId: Number(chainId), hardforks, depositContractAddress: undefined },
    Mainnet,
    { hardfork: HARDFORK, eips: EXTRA_EIPS, customCrypto: crypto.custom },
  )
}
