// Peers that keep sending invalid messages: counted per peer over a window; past a threshold the
// peer is disconnected and refused (dial and inbound) until its ban expires.
export class PeerBans {
  readonly #threshold: number
  readonly #windowMs: number
  readonly #durationMs: number
  readonly #strikes = new Map<string, number[]>()
  readonly #banned = new Map<string, number>()

  constructor(threshold: number, windowMs: number, durationMs: number) {
    this.#threshold = threshold
    this.#windowMs = windowMs
    this.#durationMs = durationMs
  }

  /** Records an invalid message; returns true when it gets the peer banned. */
  strike(peer: string, now = Date.now()): boolean {
    if (this.isBanned(peer, now)) return false
    const recent = this.#recent(peer, now)
    recent.push(now)
    this.#strikes.set(peer, recent)
    if (recent.length < this.#threshold) return false
    this.#strikes.delete(peer)
    this.#banned.set(peer, now + this.#durationMs)
    return true
  }

  /** Invalid messages from the peer within the window (what its score reflects until a ban). */
  strikes(peer: string, now = Date.now()): number {
    return this.#recent(peer, now).length
  }

  /** The peer's strikes still within the window at `now` (a fresh array). */
  #recent(peer: string, now: number): number[] {
    return (this.#strikes.get(peer) ?? []).filter((t) => now - t < this.#windowMs)
  }

  isBanned(peer: string, now = Date.now()): boolean {
    const until = this.#banned.get(peer)
    if (until === undefined) return false
    if (until > now) return true
    this.#banned.delete(peer)
    return false
  }

  banned(): string[] {
    return [...this.#banned.keys()].filter((p) => this.isBanned(p))
  }
}
