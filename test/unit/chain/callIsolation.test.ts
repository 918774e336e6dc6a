import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Address } from '@ethereumjs/util'
import { CallExecutor } from '../../../chain/call.ts'
import { DEAD, addr, openChain } from './fixtures.ts'

test('a call running with state overrides at the head is never seen by concurrent readers', async () => {
  const chain = await openChain()
  try {
    const calls = new CallExecutor(chain)
    const target = Buffer.from(DEAD.slice(2), 'hex')
    const huge = 10n ** 30n
    const overrides = new Map([[DEAD, { balance: huge }]])
    const seen: bigint[] = []
    const reads = async () => {
      for (let i = 0; i < 200; i++) {
        seen.push((await (await chain.readState(chain.head)).getAccount(new Address(target)))?.balance ?? 0n)
        await new Promise((r) => setImmediate(r))
      }
    }
    const runCalls = async () => {
      for (let i = 0; i < 100; i++) {
        const out = await calls.call({ from: addr(0), to: target, value: 1n }, chain.head, overrides)
        assert.ok(out.success)
      }
    }
    await Promise.all([reads(), runCalls(), reads()])
    assert.equal(seen.length, 400)
    assert.ok(seen.every((b) => b === 0n), 'readers saw a balance that only existed inside a call')
  } finally {
    await chain.close()
  }
})
