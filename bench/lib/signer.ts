// Fast transaction signing for benchmarks: @ethereumjs builds the transaction, native secp256k1
// signs its hash (tens of microseconds, where a JS signer takes about a millisecond).
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import type { Common } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { privateToAddress } from '@ethereumjs/util'
import { loadCrypto } from '../../chain/crypto.ts'
import type { OpalCrypto } from '../../chain/crypto.ts'

export interface Key {
  privateKey: Uint8Array
  address: `0x${string}`
}

export function keyFrom(seed: string, index: number, crypto: OpalCrypto): Key {
  const privateKey = crypto.keccak256(new TextEncoder().encode(`${seed}/${index}`))
  return { privateKey, address: `0x${Buffer.from(privateToAddress(privateKey)).toString('hex')}` }
}

export class Signer {
  readonly crypto: OpalCrypto
  readonly common: Common

  private constructor(crypto: OpalCrypto, common: Common) {
    this.crypto = crypto
    this.common = common
  }

  static async create(chainId: bigint): Promise<Signer> {
    const crypto = await loadCrypto()
    const common = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Cancun, customCrypto: crypto.custom })
    return new Signer(crypto, common)
  }

  /** A signed EIP-1559 transaction, serialized, as 0x hex. */
  sign(key: Key, tx: { nonce: bigint; to: `0x${string}`; value?: bigint; data?: Uint8Array; gasLimit: bigint; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }): `0x${string}` {
    const unsigned = createFeeMarket1559Tx({ ...tx, chainId: this.common.chainId() }, { common: this.common })
    const { signature, recid } = this.crypto.ecdsaSign(unsigned.getHashedMessageToSign(), key.privateKey)
    const signed = unsigned.addSignature(BigInt(recid), signature.subarray(0, 32), signature.subarray(32, 64))
    return `0x${Buffer.from(signed.serialize()).toString('hex')}`
  }
}
