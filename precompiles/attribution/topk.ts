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
    return [...this.#heap].sort(consensus)
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

/** the consensus order as a comparator: best first */
export function consensus(a: Scored, b: Scored): number {
  return b.score !== a.score ? b.score - a.score : a.index - b.index
}

/** a is worse than b in the consensus order */
function worse(a: Scored, b: Scored): boolean {
  return a.score !== b.score ? a.score < b.score : a.index > b.index
}
