// Signing with the node's dev accounts (`--dev`), as Anvil offers them: eth_sendTransaction fills
// in nonce, gas and fees; eth_sign, personal_sign and eth_signTypedData_v4 sign messages.
import { createTx, TransactionType } from '@ethereumjs/tx'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Address } from '@ethereumjs/util'
import { privateKeyToAccount } from 'viem/accounts'
import type { CallRequest } from '../../../chain/call.ts'
import type { DevAccountKey } from '../../interface.ts'
import { RpcCode, RpcError } from '../../errors.ts'
import { data } from '../../hex.ts'
import type { MethodContext, MethodTable } from '../../method.ts'
import { address, any, bytes, callRequest, parseParams, required } from '../../params.ts'

const DEFAULT_TIP = 1_000_000n

function signer(ctx: MethodContext, addr: Uint8Array | undefined): DevAccountKey {
  if (addr === undefined) throw new RpcError(RpcCode.InvalidParams, 'invalid argument 0: missing "from"')
  const s = ctx.backend.signers.find((k) => Buffer.compare(k.address, addr) === 0)
  if (s === undefined) throw new RpcError(RpcCode.InvalidInput, `unknown account ${data(addr)}: this node holds no key for it`)
  return s
}

function viemAccount(s: DevAccountKey) {
  return privateKeyToAccount(data(s.privateKey))
}

async function fillAndSign(ctx: MethodContext, req: CallRequest): Promise<TypedTransaction> {
  const key = signer(ctx, req.from)
  const chain = ctx.backend.chain
  const from = key.address
  let nonce = req.nonce ?? ctx.backend.pool.pendingNonce(from)
  if (nonce === undefined) nonce = (await (await chain.readState(chain.head)).getAccount(new Address(from)))?.nonce ?? 0n
  let gas = req.gas
  if (gas === undefined) {
    const est = await ctx.backend.calls.estimateGas(req, chain.head)
    if (typeof est !== 'bigint') {
      throw est.reverted
        ? new RpcError(RpcCode.ExecutionReverted, 'execution reverted', data(est.returnValue))
        : new RpcError(RpcCode.InvalidInput, `gas required exceeds allowance: ${est.error}`)
    }
    gas = est
  }
  const base = { nonce, to: req.to, value: req.value ?? 0n, data: req.data ?? new Uint8Array(), gasLimit: gas, chainId: chain.chainId }
  const common = chain.common
  let tx: TypedTransaction
  if (req.gasPrice !== undefined) {
    tx = createTx({ ...base, type: req.accessList === undefined ? TransactionType.Legacy : TransactionType.AccessListEIP2930, gasPrice: req.gasPrice, accessList: req.accessList }, { common })
  } else {
    const tip = req.maxPriorityFeePerGas ?? DEFAULT_TIP
    const maxFee = req.maxFeePerGas ?? chain.head.calcNextBaseFee() * 2n + tip
    const type = req.authorizationList !== undefined ? TransactionType.EOACodeEIP7702 : TransactionType.FeeMarketEIP1559
    tx = createTx({ ...base, type, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, accessList: req.accessList ?? [], authorizationList: req.authorizationList }, { common })
  }
  return tx.sign(key.privateKey)
}

export const signingMethods: MethodTable = {
  eth_sendTransaction: async (params, ctx) => {
    const [req] = parseParams(params, [required(callRequest)])
    const tx = await fillAndSign(ctx, req)
    const [result] = await ctx.backend.submitTransactions([tx.serialize()])
    if (result instanceof Error) throw result
    return data(result)
  },
  eth_signTransaction: async (params, ctx) => {
    const [req] = parseParams(params, [required(callRequest)])
    return data((await fillAndSign(ctx, req)).serialize())
  },
  eth_sign: async (params, ctx) => {
    const [addr, message] = parseParams(params, [required(address), required(bytes)])
    return viemAccount(signer(ctx, addr)).signMessage({ message: { raw: message } })
  },
  personal_sign: async (params, ctx) => {
    const [message, addr] = parseParams(params, [required(bytes), required(address)])
    return viemAccount(signer(ctx, addr)).signMessage({ message: { raw: message } })
  },
  eth_signTypedData_v4: async (params, ctx) => {
    const [addr, typed] = parseParams(params, [required(address), required(any)])
    const doc = typeof typed === 'string' ? safeJson(typed) : typed
    if (typeof doc !== 'object' || doc === null) throw new RpcError(RpcCode.InvalidParams, 'invalid argument 1: expected EIP-712 typed data')
    const { domain, types, primaryType, message } = doc as Record<string, unknown>
    const { EIP712Domain: _, ...rest } = (types ?? {}) as Record<string, unknown>
    try {
      const sign = viemAccount(signer(ctx, addr)).signTypedData as (doc: Record<string, unknown>) => Promise<string>
      return await sign({ domain, types: rest, primaryType, message })
    } catch (err) {
      if (err instanceof RpcError) throw err
      throw new RpcError(RpcCode.InvalidParams, `invalid argument 1: ${(err as Error).message.split('\n')[0]}`)
    }
  },
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    throw new RpcError(RpcCode.InvalidParams, 'invalid argument 1: typed data is not valid JSON')
  }
}

