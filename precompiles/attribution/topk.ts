// The consensus order of attribution: score descending, then contribution index ascending; only
// positive scores count (a clamped zero earns nothing). Every kernel feeds candidates through the
// same TopK, which resolves equal scores to the lower index in whatever order candidates come.

export interface Scored {
  /** index into the candidate set (candidates are sorted by contribution id) */
  index: number
  score: number
}

/** A bounded min-heap of the best k by (score desc, index asc). */
export class TopK {
  readonly k: number
  readonly #heap: Scored[] = []

  constructor(k: number) {
    this.k = k
  }

  /** The score a new candidate must beat to get in (scanning in ascending index order). */
  get threshold(): number {
    return this.#heap.length < this.k ? 0 : this.#heap[0].score
  }

  /** Offers a candidate, in any order: the tie rule is applied explicitly. */
  offer(index: number, score: number): void {
    if (score <= 0) return
    const h = this.#heap
    if (h.length < this.k) {
      h.push({ index, score })
      this.#up(h.length - 1)
      return
    }
    const w = h[0]
    // the newcomer must beat the current worst: a higher score, or the same with a lower index
    if (score < w.score || (score === w.score && index > w.index)) return
    h[0] = { index, score }
    this.#down(0)
  }

  /** Best first. */
  result(): Scored[] {
    return [...this.#heap].sort((a, b) => (b.score !== a.score ? b.score - a.score : a.index - b.index))
  }

  #up(i: number): void {
    const h = this.#heap
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!worse(h[i], h[p])) break
      ;[h[i], h[p]] = [h[p], h[i]]
      i = p
    }
  }

  #down(i: number): void {
    const h = this.#heap
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && worse(h[l], h[m])) m = l
      if (r < h.length && worse(h[r], h[m])) m = r
      if (m === i) return
      ;[h[i], h[m]] = [h[m], h[i]]
      i = m
    }
  }
}

/** a is worse than b in the consensus order */
function worse(a: Scored, b: Scored): boolean {
  return a.score !== b.score ? a.score < b.score : a.index > b.index
}

/**
 * The top k of many candidates that arrive in bulk and in no index order (an IVF's clusters), on
 * typed arrays: a binary heap with the worst of the k at the root, so that most candidates cost
 * one comparison and none an allocation. `floor` tells the kernel what can no longer get in.
 */
export class TopKBuffer {
  readonly k: number
  readonly #index: Int32Array
  readonly #score: Int32Array
  #n = 0

  constructor(k: number) {
    this.k = k
    this.#index = new Int32Array(k)
    this.#score = new Int32Array(k)
  }

  /** candidates held */
  get size(): number {
    return this.#n
  }

  /** scores at or below this cannot get in (0 until k are held: only positive scores count) */
  get floor(): number {
    // a score equal to the worst's may still get in with a lower index
    return this.#n < this.k ? 0 : this.#score[0] - 1
  }

  reset(): void {
    this.#n = 0
  }

  /** `count` (position, score) pairs; a position stands for candidate index[position] */
  add(pairs: Int32Array, count: number, index: Int32Array): void {
    const ids = this.#index
    const scores = this.#score
    for (let f = 0; f < count; f++) {
      const s = pairs[2 * f + 1]
      if (s <= 0) continue
      const i = index[pairs[2 * f]]
      if (this.#n < this.k) {
        this.#up(this.#n++, i, s)
      } else if (s > scores[0] || (s === scores[0] && i < ids[0])) {
        this.#down(i, s)
      }
    }
  }

  /** Best first, in the consensus order; empties the buffer. */
  result(): Scored[] {
    const out: Scored[] = new Array<Scored>(this.#n)
    while (this.#n > 0) {
      const last = --this.#n
      out[last] = { index: this.#index[0], score: this.#score[0] }
      if (last > 0) this.#down(this.#index[last], this.#score[last])
    }
    return out
  }

  /** places (i, s) at slot `at` (the end) and moves it up past better parents */
  #up(at: number, i: number, s: number): void {
    const ids = this.#index
    const scores = this.#score
    while (at > 0) {
      const p = (at - 1) >> 1
      // the worse goes up: lower score, or equal score and higher index
      if (!(s < scores[p] || (s === scores[p] && i > ids[p]))) break
      ids[at] = ids[p]
      scores[at] = scores[p]
      at = p
    }
    ids[at] = i
    scores[at] = s
  }

  /** replaces the root by (i, s) and moves it down past worse children */
  #down(i: number, s: number): void {
    const ids = this.#index
    const scores = this.#score
    const n = this.#n
    let at = 0
    for (;;) {
      const l = 2 * at + 1
      if (l >= n) break
      let c = l
      const r = l + 1
      if (r < n && (scores[r] < scores[l] || (scores[r] === scores[l] && ids[r] > ids[l]))) c = r
      if (!(scores[c] < s || (scores[c] === s && ids[c] > i))) break
      ids[at] = ids[c]
      scores[at] = scores[c]
      at = c
    }
    ids[at] = i
    scores[at] = s
  }
}
