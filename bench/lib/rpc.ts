// A bare JSON-RPC client for benchmarks: single calls and batches over HTTP with keep-alive.
export class Rpc {
  readonly url: string
  #id = 0

  constructor(url: string) {
    this.url = url
  }

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const [r] = await this.batch([[method, params]])
    if (r.error !== undefined) throw new Error(`${method}: ${r.error.message}`)
    return r.result as T
  }

  async batch(calls: Array<[string, unknown[]]>): Promise<Array<{ result?: unknown; error?: { code: number; message: string } }>> {
    const body = calls.map(([method, params]) => ({ jsonrpc: '2.0', id: ++this.#id, method, params }))
    const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const text = await res.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new Error(`not JSON from ${this.url} (HTTP ${res.status}): ${text.slice(0, 200)}`)
    }
    if (!Array.isArray(parsed)) throw new Error(`batch failed: ${text.slice(0, 300)}`)
    const byId = new Map((parsed as Array<{ id: number }>).map((r) => [r.id, r]))
    return body.map((b) => byId.get(b.id) as { result?: unknown; error?: { code: number; message: string } })
  }
}
