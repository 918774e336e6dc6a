// The chain's rule set: Cancun with EIP-7702 (set-code transactions), every fork active from
// block 0. Prague is left out on purpose: its additions besides 7702 are beacon-chain requests
// (EIP-6110/7002/7251) that have no meaning on this rollup.
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import type { ChainConfig, ParamsDict } from '@ethereumjs/common'
import { paramsBlock } from '@ethereumjs/block'
import { paramsEVM } from '@ethereumjs/evm'
import { paramsTx } from '@ethereumjs/tx'
import { paramsVM } from '@ethereumjs/vm'
import type { OpalCrypto } from './crypto.ts'

export const HARDFORK = Hardfork.Cancun
const EXTRA_EIPS = [7702]

/**
 * @ethereumjs copies the Common for every transaction and header it builds, then merges the
 * package's parameter set into the copy (a JSON deep copy and a rebuild of the parameter cache):
 * measured at ~0.5 ms per transaction, over half the time of a 2,000-transaction block. Every
 * parameter set is merged once here, at creation; later merges of a set already merged are
 * skipped. Copies share the merged parameters, as @ethereumjs's own shallow copy already does.
 */
export class ChainCommon extends Common {
  /** parameter sets already merged, shared by every copy (public so Object.assign copies it) */
  mergedParamSets: Set<ParamsDict> = new Set()

  override updateParams(params: ParamsDict): void {
    if (this.mergedParamSets?.has(params) === true) return
    super.updateParams(params)
    this.mergedParamSets?.add(params)
  }
}

export function createChainCommon(chainId: bigint, crypto: OpalCrypto): ChainCommon {
  const hardforks = []
  for (const hf of Mainnet.hardforks) {
    hardforks.push({ name: hf.name, block: 0, timestamp: undefined })
    if (hf.name === HARDFORK) break
  }
  const chain: ChainConfig = { ...Mainnet, name: `opal-${chainId}`, chainId: Number(chainId), hardforks, depositContractAddress: undefined }
  const common = new ChainCommon({ chain, hardfork: HARDFORK, eips: EXTRA_EIPS, customCrypto: crypto.custom })
  for (const params of [paramsTx, paramsBlock, paramsEVM, paramsVM]) common.updateParams(params)
  return common
}
