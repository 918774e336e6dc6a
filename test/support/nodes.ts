// For tests that run nodes (in-process or devnet processes): wait for a condition, call a node's
// JSON-RPC, wait for a receipt to settle.
import assert from 'node:assert/strict'
import type { OpalNode } from '../../node/index.ts'
import { rpc } from './rpc.ts'

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The result of a call, or an Error with the node's message. */
export async function nodeRpc(node: OpalNode, method: string, params: unknown[] = []): Promise<unknown> {
  const body = await rpc(node.rpc.url, method, params)
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

/**
 * Polls opal_getReceipt at `url` until an accepted receipt is no longer pending, and returns what
 * the node answers then (settled or rejected). The node must know the receipt all along.
 */
export async function receiptOutcome<T extends { status: string } = { status: string }>(url: string, hash: string, ms = 60_000): Promise<T> {
  let outcome: T | undefined
  await until(`receipt ${hash} to leave the pool`, async () => {
    const r = (await rpc(url, 'opal_getReceipt', [hash])).result as T | null
    assert.notEqual(r, null, `receipt ${hash} was lost`)
    if (r === null || r.status === 'pending') return false
    outcome = r
    return true
  }, ms)
  return outcome as T
}

/**
 * Waits until the first node (the sequencer) has settled every receipt and every node has reached
 * its head, then checks that each block's state root is the same on every node.
 */
export async function settledAlike(nodes: OpalNode[], hashes: string[]): Promise<void> {
  await until('every receipt settled', async () => {
    const s = (await Promise.all(hashes.map((h) => nodeRpc(nodes[0], 'opal_getReceipt', [h])))) as Array<{ status: string }>
    return s.every((x) => x.status === 'settled')
  }, 120_000)
  const target = nodes[0].chain.head.number
  await until('every node at the sequencer head', () => nodes.every((n) => n.chain.head.number >= target), 120_000)
  for (let n = 1n; n <= target; n++) {
    const roots = await Promise.all(nodes.map(async (node) => Buffer.from((await node.chain.header(n))?.stateRoot ?? []).toString('hex')))
    assert.equal(new Set(roots).size, 1, `state roots of block ${n} differ: ${roots.join(' ')}`)
  }
}
