// The accounts of the standard test mnemonic that Anvil and Hardhat fund, so habits and
// scripts written against them work unchanged on an opal devnet.
import { pbkdf2Sync } from 'node:crypto'
import { HDKey, hdKeyToAccount } from 'viem/accounts'
import type { Hex } from './types.ts'

export const DEV_MNEMONIC = 'test test test test test test test test test test test junk'
export const DEV_ACCOUNT_COUNT = 10
/** m/44'/60'/0'/0/10: the key that signs devnet blocks, kept apart from the ten funded accounts */
export const DEV_SEQUENCER_INDEX = 10
/** m/44'/60'/0'/0/11…: validator keys for multi-node devnets */
export const DEV_VALIDATOR_FIRST_INDEX = 11

export interface DevAccount {
  index: number
  address: Hex
  privateKey: Hex
}

const masters = new Map<string, HDKey>()

/** BIP-39 seed by Node's native PBKDF2 (milliseconds, where a JS PBKDF2 per account took ~30 ms). */
function master(mnemonic: string): HDKey {
  let key = masters.get(mnemonic)
  if (key === undefined) {
    const seed = pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512')
    key = HDKey.fromMasterSeed(seed)
    masters.set(mnemonic, key)
  }
  return key
}

export function devAccount(index: number, mnemonic = DEV_MNEMONIC): DevAccount {
  const account = hdKeyToAccount(master(mnemonic), { addressIndex: index })
  const key = account.getHdKey().privateKey
  if (key === null) throw new Error(`no private key derived for account ${index}`)
  return {
    index,
    address: account.address.toLowerCase() as Hex,
    privateKey: `0x${Buffer.from(key).toString('hex')}` as Hex,
  }
}

export function devAccounts(count = DEV_ACCOUNT_COUNT, mnemonic = DEV_MNEMONIC): DevAccount[] {
  return Array.from({ length: count }, (_, i) => devAccount(i, mnemonic))
}
