// The InferenceNodes precompile: GPU inference servers, known by the address that signs their
// receipts, staked in OPEN by their operators; unbonding before the stake comes back, slashing by
// the genesis slasher (the slashed OPEN goes to the treasury). Records live in servers/records.ts.
import type { Address } from '@ethereumjs/util'
import type { Abi } from 'viem'
import abiJson from './abi/InferenceNodes.json' with { type: 'json' }
import { definePrecompile } from './framework/precompile.ts'
import type { CallContext, MethodSpec } from './framework/precompile.ts'
import { Revert } from './framework/revert.ts'
import * as S from './servers/records.ts'
import { ServerStatus } from './servers/records.ts'
import type { PrecompileSettings } from './settings.ts'

export const INFERENCE_NODES_ABI = abiJson as Abi
const MAX_ENDPOINT = 256
const MAX_PAGE = 1000n

function serverJson(r: S.ServerRecord) {
  return {
    signer: r.signer.toString(), operator: r.operator.toString(), endpoint: r.endpoint, stake: r.stake, status: r.status,
    registeredAt: r.registeredAt, unbondingSince: r.unbondingSince, availableAt: r.availableAt, slashed: r.slashed,
  }
}

function inferenceNodeMethods(settings: PrecompileSettings, toAddress: (a: `0x${string}`) => Address): Record<string, MethodSpec> {
  const { minStake, unbondingDelay, slasher } = settings.servers
  const requireOperator = async (ctx: CallContext, signer: Address): Promise<S.ServerRecord> => {
    const r = await S.readServer(ctx.store, signer)
    if (r === undefined) throw new Revert('ServerNotFound', signer.toString())
    if (!r.operator.equals(ctx.frame.caller)) throw new Revert('NotOperator', ctx.frame.caller.toString())
    return r
  }
  const endpointOk = (e: string) => {
    if (e.length > MAX_ENDPOINT) throw new Revert('InvalidServer', `endpoint is at most ${MAX_ENDPOINT} bytes`)
  }
  return {
    register: {
      kind: 'payable',
      async handler(ctx, [signerArg, endpoint]) {
        const signer = toAddress(signerArg as `0x${string}`)
        if (signer.isZero()) throw new Revert('InvalidServer', 'the zero address cannot sign receipts')
        endpointOk(endpoint as string)
        const existing = await S.serverTerms(ctx.store, signer)
        if (existing.status === ServerStatus.Active || existing.status === ServerStatus.Unbonding) throw new Revert('ServerExists', signer.toString())
        if (ctx.frame.value < minStake) throw new Revert('StakeTooLow', minStake, ctx.frame.value)
        await S.register(ctx.store, { signer, operator: ctx.frame.caller, endpoint: endpoint as string, stake: ctx.frame.value, at: ctx.block.timestamp })
        ctx.emit('ServerRegistered', { signer: signer.toString(), operator: ctx.frame.caller.toString(), endpoint, stake: ctx.frame.value })
      },
    },
    addStake: {
      kind: 'payable',
      async handler(ctx, [signerArg]) {
        const signer = toAddress(signerArg as `0x${string}`)
        const r = await requireOperator(ctx, signer)
        if (r.status !== ServerStatus.Active) throw new Revert('NotActive', signer.toString(), r.status)
        const stake = r.stake + ctx.frame.value
        await S.setStake(ctx.store, signer, stake)
        ctx.emit('StakeAdded', { signer: signer.toString(), amount: ctx.frame.value, stake })
      },
    },
    setEndpoint: {
      kind: 'write',
      async handler(ctx, [signerArg, endpoint]) {
        const signer = toAddress(signerArg as `0x${string}`)
        await requireOperator(ctx, signer)
        endpointOk(endpoint as string)
        await S.setEndpoint(ctx.store, signer, endpoint as string)
        ctx.emit('EndpointChanged', { signer: signer.toString(), endpoint })
      },
    },
    requestUnstake: {
      kind: 'write',
      async handler(ctx, [signerArg]) {
        const signer = toAddress(signerArg as `0x${string}`)
        const r = await requireOperator(ctx, signer)
        if (r.status !== ServerStatus.Active) throw new Revert('NotActive', signer.toString(), r.status)
        const availableAt = ctx.block.timestamp + unbondingDelay
        await S.startUnbonding(ctx.store, signer, ctx.block.timestamp, availableAt)
        ctx.emit('UnstakeRequested', { signer: signer.toString(), availableAt })
      },
    },
    withdrawStake: {
      kind: 'write',
      async handler(ctx, [signerArg]) {
        const signer = toAddress(signerArg as `0x${string}`)
        const r = await requireOperator(ctx, signer)
        if (r.status !== ServerStatus.Unbonding) throw new Revert('NotUnbonding', signer.toString())
        if (ctx.block.timestamp < r.availableAt) throw new Revert('StakeLocked', signer.toString(), r.availableAt)
        await S.markExited(ctx.store, signer)
        await ctx.pay(r.operator, r.stake)
        ctx.emit('StakeWithdrawn', { signer: signer.toString(), operator: r.operator.toString(), amount: r.stake })
      },
    },
    slash: {
      kind: 'write',
      async handler(ctx, [signerArg, amount, reasonHash]) {
        if (!ctx.frame.caller.equals(slasher)) throw new Revert('NotSlasher', ctx.frame.caller.toString())
        const signer = toAddress(signerArg as `0x${string}`)
        const r = await S.readServer(ctx.store, signer)
        if (r === undefined) throw new Revert('ServerNotFound', signer.toString())
        const a = amount as bigint
        if (a > r.stake) throw new Revert('SlashTooLarge', r.stake, a)
        await S.setStake(ctx.store, signer, r.stake - a)
        await S.addSlashed(ctx.store, signer, a)
        await ctx.pay(settings.receipts.treasury, a)
        ctx.emit('ServerSlashed', { signer: signer.toString(), amount: a, reasonHash })
      },
    },
    getServer: {
      kind: 'view',
      async handler(ctx, [signerArg]) {
        const r = await S.readServer(ctx.store, toAddress(signerArg as `0x${string}`))
        if (r === undefined) throw new Revert('ServerNotFound', signerArg)
        return serverJson(r)
      },
    },
    minStake: { kind: 'view', handler: async () => minStake },
    listServers: {
      kind: 'view',
      async handler(ctx, [cursor, limit]) {
        const l = limit as bigint
        const p = await S.listServers(ctx.store, cursor as bigint, l === 0n || l > MAX_PAGE ? MAX_PAGE : l)
        return [p.signers.map((a) => a.toString()), p.next]
      },
    },
    serverCount: { kind: 'view', handler: async (ctx) => S.serverCount(ctx.store) },
  }
}

export function createInferenceNodes(settings: PrecompileSettings, toAddress: (a: `0x${string}`) => Address) {
  return definePrecompile({
    name: 'InferenceNodes',
    address: settings.addresses.servers,
    abi: INFERENCE_NODES_ABI,
    activation: settings.activation.servers, gas: settings.gas,
    methods: inferenceNodeMethods(settings, toAddress),
  })
}
