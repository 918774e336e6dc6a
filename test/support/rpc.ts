// A raw JSON-RPC call over HTTP: for devnet processes and in-process nodes alike.

export interface RpcResponse {
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

/** A raw JSON-RPC call over HTTP, for tests that look at the exact response. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<RpcResponse> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return (await res.json()) as RpcResponse
}
