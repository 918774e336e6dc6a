// For tests that run nodes in-process: wait for a condition, and call a node's JSON-RPC.
import type { OpalNode } from '../../node/index.ts'

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The result of a call, or an Error with the node's message. */
export async function nodeRpc(node: OpalNode, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(node.rpc.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}
