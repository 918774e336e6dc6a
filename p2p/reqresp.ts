// Request/response over libp2p streams, length-prefixed RLP: our status (chain id, head), blocks
// by range (at most maxBlocksPerRequest, and at most a few MB per answer), a block by hash. Every
// peer has a budget of blocks per second; past it the answer says "rate limited".
import { lpStream } from '@libp2p/utils'
import type { Libp2p } from 'libp2p'
import type { PeerId, Stream } from '@libp2p/interface'
import type { OpalCrypto } from '../chain/crypto.ts'
import type { P2PChain, SignedBlock } from './interface.ts'
import { decodeBlocksResponse, decodeRangeRequest, decodeStatus, encodeBlocksResponse, encodeRangeRequest, encodeStatus } from './messages.ts'
import { protocols } from './topics.ts'

const MAX_RESPONSE_BYTES = 8 * 1024 * 1024
const TIMEOUT_MS = 10_000
export const Status = { Ok: 0, RateLimited: 1, BadRequest: 2 } as const

/** Blocks a peer may take per second, refilled continuously. */
class Budget {
  readonly #perSecond: number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()

  constructor(perSecond: number) {
    this.#perSecond = perSecond
  }

  take(peer: string, n: number): boolean {
    const now = Date.now()
    const b = this.#buckets.get(peer) ?? { tokens: this.#perSecond, at: now }
    b.tokens = Math.min(this.#perSecond, b.tokens + ((now - b.at) / 1000) * this.#perSecond)
    b.at = now
    this.#buckets.set(peer, b)
    if (b.tokens < n) return false
    b.tokens -= n
    return true
  }
}

export interface ReqRespDeps {
  libp2p: Libp2p
  chain: P2PChain
  crypto: OpalCrypto
  maxBlocksPerRequest: number
  servedBlocksPerSecond: number
  /** a peer asked for more than its budget, or sent a malformed request */
  onAbuse(peer: string): void
}

export class ReqResp {
  readonly #d: ReqRespDeps
  readonly #p: ReturnType<typeof protocols>
  readonly #budget: Budget

  constructor(deps: ReqRespDeps) {
    this.#d = deps
    this.#p = protocols(deps.chain.chainId)
    this.#budget = new Budget(deps.servedBlocksPerSecond)
  }

  async start(): Promise<void> {
    const { libp2p } = this.#d
    await libp2p.handle(this.#p.status, (stream) => this.#serve(stream, async () => {
      const head = this.#d.chain.head()
      return encodeStatus(this.#d.chain.chainId, head.number, head.hash)
    }))
    await libp2p.handle(this.#p.blocksByRange, (stream, connection) => this.#serve(stream, async (req) => {
      const peer = connection.remotePeer.toString()
      let range: { from: bigint; count: number }
      try {
        range = decodeRangeRequest(req)
      } catch {
        this.#d.onAbuse(peer)
        return encodeBlocksResponse(Status.BadRequest, [])
      }
      const count = Math.min(range.count, this.#d.maxBlocksPerRequest)
      if (!this.#budget.take(peer, count)) {
        this.#d.onAbuse(peer)
        return encodeBlocksResponse(Status.RateLimited, [])
      }
      const blocks = await this.#d.chain.getSignedBlocks(range.from, count)
      let bytes = 0
      const fitting: SignedBlock[] = []
      for (const b of blocks) {
        bytes += b.blockRlp.length + 70
        if (bytes > MAX_RESPONSE_BYTES && fitting.length > 0) break
        fitting.push(b)
      }
      return encodeBlocksResponse(Status.Ok, fitting)
    }))
    await libp2p.handle(this.#p.blockByHash, (stream, connection) => this.#serve(stream, async (req) => {
      if (req.length !== 32 || !this.#budget.take(connection.remotePeer.toString(), 1)) return encodeBlocksResponse(Status.BadRequest, [])
      const b = await this.#d.chain.getSignedBlockByHash(req)
      return encodeBlocksResponse(Status.Ok, b === undefined ? [] : [b])
    }))
  }

  async #serve(stream: Stream, answer: (req: Uint8Array) => Promise<Uint8Array>): Promise<void> {
    try {
      const lp = lpStream(stream, { maxDataLength: 1024 })
      const req = await lp.read({ signal: AbortSignal.timeout(TIMEOUT_MS) })
      await lp.write(await answer(req.subarray()), { signal: AbortSignal.timeout(TIMEOUT_MS) })
      await stream.close()
    } catch {
      stream.abort(new Error('request failed'))
    }
  }

  async #request(peer: PeerId, protocol: string, req: Uint8Array): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(TIMEOUT_MS)
    const stream = await this.#d.libp2p.dialProtocol(peer, protocol, { signal })
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES + 1024 * 1024 })
      await lp.write(req, { signal })
      const res = await lp.read({ signal })
      await stream.close()
      return res.subarray()
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
  }

  async status(peer: PeerId): Promise<{ chainId: bigint; number: bigint; hash: Uint8Array }> {
    return decodeStatus(await this.#request(peer, this.#p.status, new Uint8Array([0xc0])))
  }

  async blocksByRange(peer: PeerId, from: bigint, count: number): Promise<SignedBlock[]> {
    const res = decodeBlocksResponse(this.#d.crypto, await this.#request(peer, this.#p.blocksByRange, encodeRangeRequest(from, count)))
    if (res.status !== Status.Ok) throw new Error(res.status === Status.RateLimited ? 'rate limited' : 'bad request')
    return res.blocks
  }

  async blockByHash(peer: PeerId, hash: Uint8Array): Promise<SignedBlock | undefined> {
    const res = decodeBlocksResponse(this.#d.crypto, await this.#request(peer, this.#p.blockByHash, hash))
    return res.blocks[0]
  }
}
