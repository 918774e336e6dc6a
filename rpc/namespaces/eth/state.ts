// Account state at a block: balance, nonce, code, storage and EIP-1186 proofs.
import { getMerkleStateProof } from '@ethereumjs/statemanager'
import { Address, setLengthLeft } from '@ethereumjs/util'
import { data, quantity } from '../../hex.ts'
import type { MethodTable } from '../../method.ts'
import { address, blockRef, optional, parseParams, required, slot } from '../../params.ts'
import { RpcCode, RpcError } from '../../errors.ts'
import { readStateAt } from './resolve.ts'

const MAX_PROOF_SLOTS = 1024

export const stateMethods: MethodTable = {
  eth_getBalance: async (params, ctx) => {
    const [addr, block] = parseParams(params, [required(address), optional(blockRef, 'latest' as const)])
    const acc = await (await readStateAt(ctx, block)).getAccount(new Address(addr))
    return quantity(acc?.balance ?? 0n)
  },
  eth_getTransactionCount: async (params, ctx) => {
    const [addr, block] = parseParams(params, [required(address), optional(blockRef, 'latest' as const)])
    if (block === 'pending') {
      const pending = ctx.backend.pool.pendingNonce(addr)
      if (pending !== undefined) return quantity(pending)
    }
    const acc = await (await readStateAt(ctx, block)).getAccount(new Address(addr))
    return quantity(acc?.nonce ?? 0n)
  },
  eth_getCode: async (params, ctx) => {
    const [addr, block] = parseParams(params, [required(address), optional(blockRef, 'latest' as const)])
    return data(await (await readStateAt(ctx, block)).getCode(new Address(addr)))
  },
  eth_getStorageAt: async (params, ctx) => {
    const [addr, key, block] = parseParams(params, [required(address), required(slot), optional(blockRef, 'latest' as const)])
    const state = await readStateAt(ctx, block)
    const account = await state.getAccount(new Address(addr))
    if (account === undefined) return data(new Uint8Array(32))
    const value = await state.getStorage(new Address(addr), key)
    return data(setLengthLeft(value, 32))
  },
  eth_getProof: async (params, ctx) => {
    const [addr, keys, block] = parseParams(params, [required(address), required(slotList), optional(blockRef, 'latest' as const)])
    const state = await readStateAt(ctx, block)
    const proof = await getMerkleStateProof(state, new Address(addr), keys)
    return {
      address: data(addr),
      accountProof: proof.accountProof,
      balance: normalizeQuantity(proof.balance),
      codeHash: proof.codeHash,
      nonce: normalizeQuantity(proof.nonce),
      storageHash: proof.storageHash,
      storageProof: proof.storageProof.map((p, i) => ({ key: data(keys[i]), value: normalizeQuantity(p.value), proof: p.proof })),
    }
  },
}

function slotList(v: unknown, at: string): Uint8Array[] {
  if (!Array.isArray(v)) throw new RpcError(RpcCode.InvalidParams, `${at}: expected an array of storage keys`)
  if (v.length > MAX_PROOF_SLOTS) throw new RpcError(RpcCode.InvalidParams, `${at}: at most ${MAX_PROOF_SLOTS} storage keys`)
  return v.map((k, i) => slot(k, `${at}[${i}]`))
}

function normalizeQuantity(h: string): string {
  return quantity(BigInt(h === '0x' ? '0x0' : h))
}
