// Keeping up with the chain: blocks from gossip and from range requests meet in one queue keyed
// by number, and are imported strictly in order (parent first). When the next block is missing —
// we joined late, restarted, or gossip skipped one — ranges are requested from peers whose head is
// high enough, several in parallel, each checked (sequencer signature, parent linkage) before it
// is imported.
//
//   gossip block ─┐
//                 ├─► queue[number] ─► next = head+1 present? ─► verify link ─► chain.importBlock
//   range fetch ──┘        ▲                 │ missing and a peer is ahead
//                          └── fetch [head+1 …] in chunks, up to `parallel` at once ◄──┘
import type { Logger } from 'pino'
import type { P2PChain, SignedBlock, SyncStatus } from './interface.ts'

const PROGRESS_EVERY_MS = 2_000

export interface SyncDeps {
  chain: P2PChain
  /** blocks [from, from+count) from a peer; throws if the peer fails */
  fetchRange(peer: string, from: bigint, count: number): Promise<SignedBlock[]>
  /** true when the block carries the sequencer's signature */
  verify(block: SignedBlock): boolean
  /** a peer sent something invalid */
  penalize(peer: string, reason: string): void
  log: Logger
  chunk: number
  parallel: number
  maxQueued: number
}

export class Syncer {
  readonly #d: SyncDeps
  readonly #queue = new Map<bigint, { block: SignedBlock; from: string }>()
  readonly #peerHeads = new Map<string, bigint>()
  readonly #inFlight = new Set<bigint>()
  #running: Promise<void> | undefined
  #again = false
  #stopped = false
  #startingBlock: bigint | undefined

  constructor(deps: SyncDeps) {
    this.#d = deps
  }

  stop(): void {
    this.#stopped = true
  }

  /** The highest block any peer has told us of. */
  get target(): bigint {
    let t = this.#d.chain.head().number
    for (const n of this.#peerHeads.values()) if (n > t) t = n
    for (const n of this.#queue.keys()) if (n > t) t = n
    return t
  }

  status(): SyncStatus {
    const current = this.#d.chain.head().number
    const highest = this.target
    const syncing = highest > current + 1n
    if (!syncing) this.#startingBlock = undefined
    else this.#startingBlock ??= current
    return { syncing, startingBlock: this.#startingBlock ?? current, currentBlock: current, highestBlock: highest }
  }

  peerHead(peer: string, number: bigint): void {
    this.#peerHeads.set(peer, number)
    this.#kick()
  }

  peerGone(peer: string): void {
    this.#peerHeads.delete(peer)
  }

  /** A block accepted by gossip validation. */
  offer(block: SignedBlock, from: string): void {
    const head = this.#d.chain.head().number
    if (block.number <= head) return
    if (this.#queue.size >= this.#d.maxQueued && block.number > head + BigInt(this.#d.maxQueued)) return
    this.#queue.set(block.number, { block, from })
    const known = this.#peerHeads.get(from)
    if (known === undefined || known < block.number) this.#peerHeads.set(from, block.number)
    this.#kick()
  }

  #kick(): void {
    this.#again = true
    this.#running ??= this.#loop().finally(() => {
      this.#running = undefined
    })
  }

  async #loop(): Promise<void> {
    const progress = setInterval(() => this.#report(), PROGRESS_EVERY_MS)
    try {
      await this.#run()
    } finally {
      clearInterval(progress)
    }
  }

  #lastReport: { at: number; number: bigint } | undefined

  /** While far behind: where we are, how far to go, how fast. */
  #report(): void {
    const s = this.status()
    if (!s.syncing) return
    const now = Date.now()
    const rate = this.#lastReport === undefined ? undefined : Number(s.currentBlock - this.#lastReport.number) / ((now - this.#lastReport.at) / 1000)
    this.#lastReport = { at: now, number: s.currentBlock }
    this.#d.log.info({ current: Number(s.currentBlock), highest: Number(s.highestBlock), blocksPerSecond: rate === undefined ? undefined : Math.round(rate) }, 'syncing')
  }

  async #run(): Promise<void> {
    while (this.#again && !this.#stopped) {
      this.#again = false
      await this.#importQueued()
      if (this.target > this.#d.chain.head().number && !this.#queue.has(this.#d.chain.head().number + 1n)) {
        await this.#fetchMissing()
        this.#again = true
        await this.#importQueued()
        if (!this.#progressPossible()) break
      }
    }
  }

  #progressPossible(): boolean {
    const next = this.#d.chain.head().number + 1n
    for (const n of this.#peerHeads.values()) if (n >= next) return true
    return this.#queue.has(next)
  }

  /** Imports every queued block that extends the head, in order. */
  async #importQueued(): Promise<void> {
    for (;;) {
      if (this.#stopped) return
      const head = this.#d.chain.head()
      const entry = this.#queue.get(head.number + 1n)
      if (entry === undefined) break
      this.#queue.delete(head.number + 1n)
      if (Buffer.compare(entry.block.parentHash, head.hash) !== 0) {
        this.#d.penalize(entry.from, 'block does not extend our head')
        continue
      }
      const result = await this.#d.chain.importBlock(entry.block)
      if (typeof result === 'object' && 'invalid' in result) {
        this.#d.penalize(entry.from, `invalid block ${entry.block.number}: ${result.invalid}`)
      }
    }
    const head = this.#d.chain.head().number
    for (const n of this.#queue.keys()) if (n <= head) this.#queue.delete(n)
  }

  /** Requests the ranges after the head from the peers that have them, several at once. */
  async #fetchMissing(): Promise<void> {
    const head = this.#d.chain.head().number
    const target = this.target
    const jobs: Array<Promise<void>> = []
    const used = new Set<string>()
    for (let i = 0; i < this.#d.parallel; i++) {
      const from = head + 1n + BigInt(i * this.#d.chunk)
      if (from > target || this.#inFlight.has(from)) continue
      const peer = this.#pickPeer(from, used)
      if (peer === undefined) break
      used.add(peer)
      const count = Number(target - from + 1n < BigInt(this.#d.chunk) ? target - from + 1n : BigInt(this.#d.chunk))
      jobs.push(this.#fetch(peer, from, count))
    }
    await Promise.all(jobs)
  }

  #pickPeer(from: bigint, used: Set<string>): string | undefined {
    const candidates = [...this.#peerHeads].filter(([p, n]) => n >= from && !used.has(p)).map(([p]) => p)
    if (candidates.length === 0) {
      const any = [...this.#peerHeads].filter(([, n]) => n >= from).map(([p]) => p)
      return any[Math.floor(Math.random() * any.length)]
    }
    return candidates[Math.floor(Math.random() * candidates.length)]
  }

  async #fetch(peer: string, from: bigint, count: number): Promise<void> {
    this.#inFlight.add(from)
    try {
      const blocks = await this.#d.fetchRange(peer, from, count)
      let expected = from
      for (const b of blocks) {
        if (b.number !== expected) {
          this.#d.penalize(peer, `range answer out of order at ${b.number}, expected ${expected}`)
          return
        }
        if (!this.#d.verify(b)) {
          this.#d.penalize(peer, `block ${b.number} not signed by the sequencer`)
          return
        }
        this.#queue.set(b.number, { block: b, from: peer })
        expected++
      }
      if (blocks.length === 0) this.#peerHeads.set(peer, from - 1n)
    } catch (err) {
      this.#d.log.debug({ peer, from: Number(from), err: (err as Error).message }, 'range request failed')
      this.#peerHeads.delete(peer)
    } finally {
      this.#inFlight.delete(from)
    }
  }
}
