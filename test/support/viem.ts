// Contract calls for end-to-end tests with viem: a write that must succeed (its result and
// receipt), and the decoded custom error of a call that must revert.
import assert from 'node:assert/strict'
import { BaseError, ContractFunctionRevertedError, createWalletClient, http } from 'viem'
import type { Abi, Chain, PublicClient } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'

/** `client` and `url` are read at each call: a test may restart its node. */
export function contractCalls(client: () => PublicClient, chain: Chain, url: () => string) {
  async function write(account: PrivateKeyAccount, address: `0x${string}`, abi: Abi, functionName: string, args: unknown[], value = 0n) {
    const wallet = createWalletClient({ account, chain, transport: http(url()) })
    const { request, result } = await client().simulateContract({ account, address, abi, functionName, args, value } as never)
    const hash = await wallet.writeContract(request as never)
    const receipt = await client().waitForTransactionReceipt({ hash })
    assert.equal(receipt.status, 'success', `${functionName} failed`)
    return { result: result as unknown, receipt }
  }

  async function revertOf(account: PrivateKeyAccount, address: `0x${string}`, abi: Abi, functionName: string, args: unknown[], value = 0n): Promise<{ name: string; args: readonly unknown[] }> {
    try {
      await client().simulateContract({ account, address, abi, functionName, args, value } as never)
    } catch (err) {
      const revert = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null
      assert.ok(revert?.data !== undefined, `no decodable revert: ${String(err)}`)
      return { name: revert.data.errorName, args: revert.data.args ?? [] }
    }
    throw new Error(`${functionName} did not revert`)
  }

  return { write, revertOf }
}
