// Malformed requests get the right JSON-RPC error and the node keeps serving.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData } from 'viem'
import { DEFAULT_ADDRESSES, RECEIPTS_ABI } from '../../precompiles/index.ts'
import { startDevnet } from '../support/devnet.ts'
import type { DevnetProcess } from '../support/devnet.ts'

let devnet: DevnetProcess

before(async () => {
  devnet = await startDevnet({ blockTime: 0, extra: ['--rpc-max-batch', '10', '--rpc-max-body', '65536'] })
})

after(async () => {
  assert.equal(await devnet.stop(), 0)
})

async function post(body: string): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(devnet.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const text = await res.text()
  let json: unknown
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, json, text }
}

async function stillServing(): Promise<void> {
  const r = await post(JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'eth_chainId' }))
  assert.deepEqual(r.json, { jsonrpc: '2.0', id: 99, result: '0x7a69' })
}

const code = (r: { json: unknown }) => (r.json as { error?: { code: number } }).error?.code

test('malformed JSON is a parse error (-32700)', async () => {
  const r = await post('{"jsonrpc":"2.0","id":1,"method":')
  assert.equal(r.status, 200)
  assert.equal(code(r), -32700)
  await stillServing()
})

test('not a request object, or a bad envelope, is an invalid request (-32600)', async () => {
  for (const body of ['42', '"hello"', '{"id":1,"method":"eth_chainId"}', '{"jsonrpc":"2.0","id":1,"method":7}', '[]']) {
    const r = await post(body)
    assert.equal(code(r), -32600, body)
  }
  const batch = await post('[1, {"jsonrpc":"2.0","id":2,"method":"eth_chainId"}]')
  const answers = batch.json as Array<{ id: unknown; error?: { code: number }; result?: unknown }>
  assert.equal(answers[0].error?.code, -32600)
  assert.equal(answers[1].result, '0x7a69')
  await stillServing()
})

test('an unknown method is -32601', async () => {
  const r = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_doesNotExist', params: [] }))
  assert.deepEqual(r.json, { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'the method eth_doesNotExist does not exist/is not available' } })
  await stillServing()
})

test('wrong parameter types are -32602 with a message naming the argument', async () => {
  const cases: Array<[string, unknown[], RegExp]> = [
    ['eth_getBalance', ['0x1234', 'latest'], /invalid argument 0: expected an address of 20 bytes/],
    ['eth_getBalance', ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', 'yesterday'], /invalid argument 1: expected a block number or one of/],
    ['eth_getBlockByNumber', [12, false], /invalid argument 0/],
    ['eth_getBlockByNumber', ['0x1', 'yes'], /invalid argument 1: expected true or false/],
    ['eth_call', [{ to: '0xzz' }], /invalid argument 0.to/],
    ['eth_sendRawTransaction', ['nothex'], /invalid argument 0: hex string without 0x prefix/],
    ['eth_chainId', ['extra'], /unexpected argument|too many arguments/],
  ]
  for (const [method, params, message] of cases) {
    const r = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))
    const err = (r.json as { error: { code: number; message: string } }).error
    assert.equal(err.code, -32602, method)
    assert.match(err.message, message)
  }
  await stillServing()
})

test('an oversized body is refused with HTTP 413 and a JSON-RPC error', async () => {
  const r = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: ['x'.repeat(70_000)] }))
  assert.equal(r.status, 413)
  assert.equal(code(r), -32600)
  assert.match((r.json as { error: { message: string } }).error.message, /too large/)
  await stillServing()
})

test('batches over the limit are refused; notifications get no answer', async () => {
  const big = JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' })))
  assert.equal(code(await post(big)), -32005)
  const note = await post(JSON.stringify({ jsonrpc: '2.0', method: 'eth_chainId' }))
  assert.equal(note.status, 200)
  assert.equal(note.text, '')
  const mixed = await post(JSON.stringify([{ jsonrpc: '2.0', method: 'eth_chainId' }, { jsonrpc: '2.0', id: 5, method: 'eth_chainId' }]))
  assert.deepEqual(mixed.json, [{ jsonrpc: '2.0', id: 5, result: '0x7a69' }])
  await stillServing()
})

test('a transaction with an invalid signature is rejected, and the node keeps serving', async () => {
  const bad = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [`0x02f86c827a69808084b2d05e0082520894${'de'.repeat(20)}0180c001a0${'00'.repeat(32)}a0${'00'.repeat(32)}`] }))
  const err = (bad.json as { error: { code: number; message: string } }).error
  assert.equal(err.code, -32000)
  assert.match(err.message, /invalid (sender|transaction)/)
  await stillServing()
})

test('a WebSocket client gets the same errors, and garbage does not close the connection', async () => {
  const ws = new WebSocket(devnet.wsUrl)
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = reject
  })
  const answers: unknown[] = []
  ws.onmessage = (m) => answers.push(JSON.parse(String(m.data)))
  ws.send('{not json')
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'nope' }))
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'eth_chainId' }))
  const deadline = Date.now() + 3000
  while (answers.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  ws.close()
  assert.equal((answers[0] as { error: { code: number } }).error.code, -32700)
  assert.equal((answers[1] as { error: { code: number } }).error.code, -32601)
  assert.deepEqual(answers[2], { jsonrpc: '2.0', id: 3, result: '0x7a69' })
})

test('a settlement batch is read from the calldata itself: bad ABI bytes or a bad batch revert by name', async () => {
  // the devnet's sequencer (dev account 10): only its calls reach the decoding
  const call = async (data: string) => {
    const r = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ from: '0xbcd4042de499d14e55001ccbb24a551f3b954096', to: DEFAULT_ADDRESSES.receipts, data }, 'latest'] }))
    return r.json as { result?: `0x${string}`; error?: { code: number; data?: `0x${string}` } }
  }
  const revert = (r: { error?: { data?: `0x${string}` } }) => {
    assert.ok(r.error?.data !== undefined, JSON.stringify(r))
    return decodeErrorResult({ abi: RECEIPTS_ABI, data: r.error.data }).errorName
  }
  const settle = (batch: `0x${string}`) => encodeFunctionData({ abi: RECEIPTS_ABI, functionName: 'settle', args: [batch] })
  const empty = await call(settle('0xc0'))
  assert.deepEqual(decodeFunctionResult({ abi: RECEIPTS_ABI, functionName: 'settle', data: empty.result as `0x${string}` }), [0n, 0n])
  assert.equal(revert(await call(settle('0xc1'))), 'MalformedBatch')
  const selector = settle('0xc0').slice(0, 10)
  const word = (n: number | string) => (typeof n === 'number' ? n.toString(16) : n).padStart(64, '0')
  for (const [what, body] of [
    ['an offset past the end', word(0x40)],
    ['a length past the end', word(0x20) + word(100) + 'c0'.padEnd(64, '0')],
    ['an offset wider than 32 bits', word(`1${'0'.repeat(15)}20`) + word(1) + 'c0'.padEnd(64, '0')],
    ['no words at all', ''],
  ]) assert.equal(revert(await call(selector + body)), 'MalformedInput', what)
  // an offset elsewhere than the usual 0x20 is read as any ABI decoder reads it
  const moved = await call(selector + word(0x40) + word(0) + word(1) + 'c0'.padEnd(64, '0'))
  assert.deepEqual(decodeFunctionResult({ abi: RECEIPTS_ABI, functionName: 'settle', data: moved.result as `0x${string}` }), [0n, 0n])
  await stillServing()
})
