// The Receipts precompile: payers' escrow, the sequencer's settlement of inference receipts, and
// claimable rewards. All OPEN it holds is someone's escrow or someone's claimable balance.
// The settlement itself is in receipts/settle.ts; records in receipts/records.ts.
import type { Address } from '@ethereumjs/util'
import type { Abi } from 'viem'
import abiJson from './abi/Receipts.json' with { type: 'json' }
import { recordSettlements } from './artifacts.ts'
import { definePrecompile } from './framework/precompile.ts'
import type { CallContext, MethodSpec } from './framework/precompile.ts'
import { Revert } from './framework/revert.ts'
import { ReceiptFormatError, decodeReceiptBatch } from './receipts/format.ts'
import type { SignedReceipt } from './receipts/format.ts'
import * as R from './receipts/records.ts'
import { settleBatch } from './receipts/settle.ts'
import type { CheckedBatch, SettlementServices } from './receipts/settle.ts'
import type { PrecompileSettings } from './settings.ts'
import { bytes } from './framework/hex.ts'

export const RECEIPTS_ABI = abiJson as Abi

export function receiptMethods(settings: PrecompileSettings, services: SettlementServices, chainId: bigint, toAddress: (a: `0x${string}`) => Address): Record<string, MethodSpec> {
  const deposit = async (ctx: CallContext, payer: Address) => {
    const balance = (await R.escrowBalance(ctx.store, payer.bytes)) + ctx.frame.value
    await R.setEscrowBalance(ctx.store, payer.bytes, balance)
    ctx.emit('Deposited', { payer: payer.toString(), from: ctx.frame.caller.toString(), amount: ctx.frame.value })
  }
  return {
    deposit: { kind: 'payable', handler: (ctx) => deposit(ctx, ctx.frame.caller) },
    depositFor: { kind: 'payable', handler: (ctx, [payer]) => deposit(ctx, toAddress(payer as `0x${string}`)) },
    requestWithdrawal: {
      kind: 'write',
      async handler(ctx, [amount]) {
        const payer = ctx.frame.caller.bytes
        const balance = await R.escrowBalance(ctx.store, payer)
        if ((amount as bigint) > balance) throw new Revert('InsufficientEscrow', balance, amount)
        const availableAt = ctx.block.timestamp + settings.receipts.escrowWithdrawDelay
        await R.setPendingWithdrawal(ctx.store, payer, amount as bigint, availableAt)
        ctx.emit('WithdrawalRequested', { payer: ctx.frame.caller.toString(), amount, availableAt })
      },
    },
    withdraw: {
      kind: 'write',
      async handler(ctx) {
        const payer = ctx.frame.caller.bytes
        const e = await R.readEscrow(ctx.store, payer)
        if (e.pendingWithdrawal === 0n) throw new Revert('NoWithdrawalPending', ctx.frame.caller.toString())
        if (ctx.block.timestamp < e.availableAt) throw new Revert('WithdrawalLocked', ctx.frame.caller.toString(), e.availableAt)
        // receipts settled since the request may have spent part of it
        const amount = e.pendingWithdrawal < e.balance ? e.pendingWithdrawal : e.balance
        await R.setEscrowBalance(ctx.store, payer, e.balance - amount)
        await R.setPendingWithdrawal(ctx.store, payer, 0n, 0n)
        await ctx.pay(ctx.frame.caller, amount)
        ctx.emit('Withdrawn', { payer: ctx.frame.caller.toString(), amount })
      },
    },
    claim: {
      kind: 'write',
      async handler(ctx) {
        const who = ctx.frame.caller
        const amount = await R.claimable(ctx.store, who.bytes)
        if (amount === 0n) throw new Revert('NothingToClaim', who.toString())
        await R.setClaimable(ctx.store, who.bytes, 0n)
        await ctx.pay(who, amount)
        ctx.emit('Claimed', { account: who.toString(), amount })
        return amount
      },
    },
    settle: {
      kind: 'write',
      bytesArgument: true,
      async handler(ctx, [batch]) {
        // only the sequencer's own transaction, never a contract acting for it
        if (!ctx.frame.caller.equals(settings.sequencer) || ctx.frame.depth !== 0) throw new Revert('NotSequencer', ctx.frame.caller.toString())
        let receipts: SignedReceipt[] | CheckedBatch | undefined = services.checked?.lookup(batch as Uint8Array)
        try {
          receipts ??= decodeReceiptBatch(batch as Uint8Array)
        } catch (err) {
          if (err instanceof ReceiptFormatError) throw new Revert('MalformedBatch', err.message)
          throw err
        }
        const { outcomes, earnings } = await settleBatch(ctx, receipts, settings, services, chainId)
        const settled = outcomes.filter((o) => o.status === 'settled')
        ctx.emit('BatchSettled', { settled: BigInt(settled.length), rejected: BigInt(outcomes.length - settled.length), fees: settled.reduce((t, o) => t + o.fee, 0n) })
        ctx.afterSuccess(() => recordSettlements(ctx.evm, outcomes, earnings))
        return [BigInt(settled.length), BigInt(outcomes.length - settled.length)]
      },
    },
    escrowOf: {
      kind: 'view',
      async handler(ctx, [payer]) {
        const e = await R.readEscrow(ctx.store, toAddress(payer as `0x${string}`).bytes)
        return { balance: e.balance, pendingWithdrawal: e.pendingWithdrawal, availableAt: e.availableAt }
      },
    },
    claimable: { kind: 'view', handler: async (ctx, [account]) => R.claimable(ctx.store, toAddress(account as `0x${string}`).bytes) },
    settledIn: {
      kind: 'view',
      handler: async (ctx, [server, requestId]) => R.settledIn(ctx.store, toAddress(server as `0x${string}`).bytes, bytes(requestId as `0x${string}`)),
    },
    totals: {
      kind: 'view',
      async handler(ctx) {
        const t = await R.totals(ctx.store)
        return [t.receipts, t.fees]
      },
    },
  }
}

export function createReceipts(settings: PrecompileSettings, services: SettlementServices, chainId: bigint, toAddress: (a: `0x${string}`) => Address) {
  return definePrecompile({ name: 'Receipts', address: settings.addresses.receipts, abi: RECEIPTS_ABI, activation: settings.activation.receipts, gas: settings.gas, methods: receiptMethods(settings, services, chainId, toAddress) })
}
