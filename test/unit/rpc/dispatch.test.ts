import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pino } from 'pino'
import { Dispatcher } from '../../../rpc/dispatch.ts'
import { RpcCode, RpcError, toRpcError } from '../../../rpc/errors.ts'
import type { MethodContext, MethodTable } from '../../../rpc/method.ts'
import { parseParams, quantity, required, address, blockRef, optional, callRequest } from '../../../rpc/params.ts'
import { ChainError, TxPoolError, TxRejection } from '../../../chain/index.ts'
import { CallError } from '../../../chain/call.ts'

const log = pino({ level: 'silent' })
const methods: MethodTable = {
  echo: (params) => parseParams(params, [required(quantity)])[0].toString(),
  boom: () => {
    throw new Error('secret internal detail')
  },
  revert: () => {
    throw new RpcError(RpcCode.ExecutionReverted, 'execution reverted', '0x1234')
  },
}
const ctx = {} as MethodContext
const d = new Dispatcher(methods, { maxBatchSize: 3 }, log)

test('single requests: result, unknown method, bad params, bad envelope', async () => {
  assert.deepEqual(await d.handle({ jsonrpc: '2.0', id: 7, method: 'echo', params: ['0x10'] }, ctx), { jsonrpc: '2.0', id: 7, result: '16' })
  assert.deepEqual(await d.handle({ jsonrpc: '2.0', id: 'a', method: 'nope' }, ctx), {
    jsonrpc: '2.0', id: 'a', error: { code: -32601, message: 'the method nope does not exist/is not available' },
  })
  const bad = await d.handle({ jsonrpc: '2.0', id: 1, method: 'echo', params: ['16'] }, ctx)
  assert.equal((bad as { error: { code: number } }).error.code, -32602)
  assert.match((bad as { error: { message: string } }).error.message, /invalid argument 0: hex string without 0x prefix/)
  const missing = await d.handle({ jsonrpc: '2.0', id: 1, method: 'echo', params: [] }, ctx)
  assert.match((missing as { error: { message: string } }).error.message, /missing value for required argument/)
  const extra = await d.handle({ jsonrpc: '2.0', id: 1, method: 'echo', params: ['0x1', '0x2'] }, ctx)
  assert.match((extra as { error: { message: string } }).error.message, /too many arguments, want at most 1/)
  for (const body of [{ id: 1, method: 'echo' }, { jsonrpc: '2.0', id: 1 }, 42, 'x', { jsonrpc: '2.0', id: {}, method: 'echo' }]) {
    const r = await d.handle(body, ctx)
    assert.equal((r as { error: { code: number } }).error.code, -32600, JSON.stringify(body))
  }
})

test('internal errors are opaque to the caller; reverts carry their data', async () => {
  const r = await d.handle({ jsonrpc: '2.0', id: 1, method: 'boom' }, ctx)
  assert.deepEqual(r, { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'internal error' } })
  const rv = await d.handle({ jsonrpc: '2.0', id: 1, method: 'revert' }, ctx)
  assert.deepEqual(rv, { jsonrpc: '2.0', id: 1, error: { code: 3, message: 'execution reverted', data: '0x1234' } })
})

test('batches answer in order, skip notifications, and are bounded', async () => {
  const r = await d.handle([
    { jsonrpc: '2.0', id: 1, method: 'echo', params: ['0x1'] },
    { jsonrpc: '2.0', method: 'echo', params: ['0x2'] },
    { jsonrpc: '2.0', id: 3, method: 'echo', params: ['0x3'] },
  ], ctx)
  assert.deepEqual(r, [{ jsonrpc: '2.0', id: 1, result: '1' }, { jsonrpc: '2.0', id: 3, result: '3' }])
  assert.equal(await d.handle({ jsonrpc: '2.0', method: 'echo', params: ['0x2'] }, ctx), undefined)
  assert.equal(((await d.handle([], ctx)) as { error: { code: number } }).error.code, -32600)
  const big = await d.handle(Array.from({ length: 4 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'echo', params: ['0x1'] })), ctx)
  assert.equal((big as { error: { code: number } }).error.code, -32005)
})

test('domain errors map to their JSON-RPC codes', () => {
  assert.deepEqual(toRpcError(new TxPoolError(TxRejection.NonceTooLow, 'nonce too low: x')), { code: -32000, message: 'nonce too low: x' })
  assert.deepEqual(toRpcError(new CallError('insufficient funds for gas * price + value')), { code: -32000, message: 'insufficient funds for gas * price + value' })
  assert.equal(toRpcError(new ChainError('STATE_UNAVAILABLE', 'gone')).code, -32000)
  assert.equal(toRpcError(new ChainError('BLOCK_NOT_FOUND', 'no')).code, -32001)
  assert.deepEqual(toRpcError(new ChainError('CORRUPT', 'disk')), { code: -32603, message: 'internal error' })
  assert.deepEqual(toRpcError(new TypeError('x')), { code: -32603, message: 'internal error' })
})

test('parameter parsers: quantities, addresses, EIP-1898 block references, call objects', () => {
  const p = (params: unknown[]) => parseParams(params, [required(address), optional(blockRef, 'latest' as const)])
  assert.deepEqual(p(['0x' + '11'.repeat(20)])[1], 'latest')
  assert.equal(p(['0x' + '11'.repeat(20), '0x1a'])[1], 26n)
  assert.deepEqual(p(['0x' + '11'.repeat(20), { blockHash: '0x' + '22'.repeat(32), requireCanonical: true }])[1], { hash: new Uint8Array(32).fill(0x22), requireCanonical: true })
  assert.throws(() => p(['0x1234']), /expected an address of 20 bytes, got 2/)
  assert.throws(() => p(['0x' + '11'.repeat(20), '0x01']), /leading zero/)
  assert.throws(() => p(['0x' + '11'.repeat(20), 'newest']), /expected a block number or one of latest/)
  const [call] = parseParams([{ to: '0x' + '33'.repeat(20), input: '0xabcd', value: '0x10' }], [required(callRequest)])
  assert.deepEqual(call.data, Uint8Array.from([0xab, 0xcd]))
  assert.equal(call.value, 16n)
  assert.throws(() => parseParams([{ gasPrice: '0x1', maxFeePerGas: '0x2' }], [required(callRequest)]), /both gasPrice and/)
  assert.throws(() => parseParams([{ data: '0x01', input: '0x02' }], [required(callRequest)]), /both "data" and "input"/)
})
