// The LSH index of the `indexed` attribution mode (a genesis may pick it; the IVF in ivf.ts is
// the default): a deterministic, integer locality-sensitive index. Each of L tables hashes a
// sketch to b sign bits of b fixed ±1 projections (drawn from the seed by the keccak PRNG). A
// query probes, in every table, its own bucket and then `probes` − 1 neighbouring buckets within
// Hamming radius r, flipping first the bits it is least sure of (smallest |projection|;
// multi-probe LSH, Lv et al. 2007). The exact dot products of the probed candidates then go
// through the same top-k and tie rule as a full scan. Everything is integer arithmetic, so the
// candidate set, and hence the answer, is the same in every process. The index is derived from
// the candidate set, like the matrix.
import { prngBytes } from './prng.ts'
import { Projector } from './wasm/kernel.ts'

export interface LshParams {
  /** sign bits per table (buckets = 2^bits), at most 24 */
  bits: number
  /** tables */
  tables: number
  /** Hamming radius of the probed buckets around the query's own */
  radius: number
  /** buckets probed per table, least-sure bits flipped first; default: every bucket within the radius */
  probes?: number
  /** 32-byte seed of the projections */
  seed: Uint8Array
}

/**
 * Tuned on clustered sketches like real ones (bench/lib/sketches.ts) at N = 100,000, d = 128: recall@32
 * against exact ≈ 0.92 (≈ 0.945 of the exact top-32's score mass), ≈ 6,500 distinct candidates
 * per query, index built in ≈ 0.6 s, 9.6 MB of bucket lists. Fewer probes or tables lose recall
 * fast (16 probes: 0.85; 16 tables × 16: 0.71; 14 bits × 6 tables, radius 1: 0.47), because a big
 * topic puts thousands of sketches at almost the same angle from a query while the exact top 32
 * are chosen among them by norm and fine detail.
 */
export const DEFAULT_LSH: Omit<LshParams, 'seed'> = { bits: 15, tables: 24, radius: 3, probes: 32 }

const BUILD_CHUNK = 4096

export class LshIndex {
  readonly params: LshParams
  readonly size: number
  /**
   * Bucket members of all tables, concatenated, ascending within a bucket: bucket c of table t is
   * members[starts[t·(2^bits + 1) + c] … starts[t·(2^bits + 1) + c + 1]).
   */
  readonly members: Int32Array
  /** at most this many ranges per query */
  readonly maxRanges: number
  readonly #starts: Int32Array
  readonly #projector: Projector
  /** probe order: sets of flipped bits (ball) or of cost ranks (query-directed), as bitmasks */
  readonly #template: Int32Array
  readonly #directed: boolean
  /** how many of the cheapest bits the directed template uses */
  readonly #ranks: number
  readonly #rankBit: Int32Array
  readonly #rankCost: Int32Array
  #scratch: Int32Array | undefined

  private constructor(params: LshParams, size: number, projector: Projector, starts: Int32Array, members: Int32Array) {
    this.params = params
    this.size = size
    this.#projector = projector
    this.#starts = starts
    this.members = members
    this.#directed = params.probes !== undefined
    this.#template = probeTemplate(params.bits, params.radius, params.probes)
    this.maxRanges = params.tables * this.#template.length
    let used = 0
    for (const m of this.#template) used |= m
    this.#ranks = 32 - Math.clz32(used)
    this.#rankBit = new Int32Array(this.#ranks)
    this.#rankCost = new Int32Array(this.#ranks)
  }

  static async build(rows: Int8Array, dim: number, params: LshParams): Promise<LshIndex> {
    const { bits, tables } = params
    if (!(bits >= 1 && bits <= 24 && tables >= 1 && params.radius >= 0 && (params.probes ?? 1) >= 1)) {
      throw new Error('LSH: 1 ≤ bits ≤ 24, tables ≥ 1, radius ≥ 0, probes ≥ 1')
    }
    const n = rows.length / dim
    const planes = Int8Array.from(prngBytes(params.seed, tables * bits * dim), (b) => ((b & 1) === 1 ? 1 : -1))
    const projector = await Projector.create(planes, dim)
    const codes = new Int32Array(tables * n)
    const z = new Int32Array(BUILD_CHUNK * tables * bits)
    for (let first = 0; first < n; first += BUILD_CHUNK) {
      const count = Math.min(BUILD_CHUNK, n - first)
      projector.project(rows.subarray(first * dim, (first + count) * dim), z)
      for (let i = 0; i < count; i++) {
        for (let t = 0; t < tables; t++) codes[t * n + first + i] = signCode(z, (i * tables + t) * bits, bits)
      }
    }
    // counting sort per table: members of a bucket stay in ascending index order
    const width = (1 << bits) + 1
    const starts = new Int32Array(tables * width)
    const members = new Int32Array(tables * n)
    for (let t = 0; t < tables; t++) {
      const base = t * width
      starts[base] = t * n
      for (let i = 0; i < n; i++) starts[base + codes[t * n + i] + 1]++
      for (let c = 1; c < width; c++) starts[base + c] += starts[base + c - 1]
      const fill = starts.slice(base, base + width - 1)
      for (let i = 0; i < n; i++) members[fill[codes[t * n + i]]++] = i
    }
    return new LshIndex(params, n, projector, starts, members)
  }

  /** The projections of a batch of queries (B × dim): pass them to `ranges` or `candidates`. */
  project(queries: Int8Array): Int32Array {
    return this.#projector.project(queries)
  }

  /**
   * The member ranges query q of a projected batch probes, as (from, to) pairs into `members`
   * (`out` holds 2 × maxRanges); returns the number of pairs. Ranges of different tables overlap.
   */
  ranges(z: Int32Array, q: number, out: Int32Array): number {
    const { bits, tables } = this.params
    const width = (1 << bits) + 1
    const template = this.#template
    const starts = this.#starts
    let r = 0
    for (let t = 0; t < tables; t++) {
      const at = (q * tables + t) * bits
      const code = signCode(z, at, bits)
      if (this.#directed) this.#rankBits(z, at)
      const base = t * width
      for (let p = 0; p < template.length; p++) {
        const c = code ^ (this.#directed ? this.#flips(template[p]) : template[p])
        const from = starts[base + c]
        const to = starts[base + c + 1]
        if (to > from) {
          out[2 * r] = from
          out[2 * r + 1] = to
          r++
        }
      }
    }
    return r
  }

  /**
   * The candidates query q probes, without repeats, in no particular order (the top-k applies
   * the tie rule itself). `seen` is scratch space of the set's size, left zeroed; `out` receives
   * the indexes and must be that large too.
   */
  candidates(z: Int32Array, q: number, seen: Uint8Array, out: Int32Array): Int32Array {
    const ranges = (this.#scratch ??= new Int32Array(2 * this.maxRanges))
    const count = this.ranges(z, q, ranges)
    const members = this.members
    let n = 0
    for (let r = 0; r < count; r++) {
      for (let m = ranges[2 * r]; m < ranges[2 * r + 1]; m++) {
        const i = members[m]
        if (seen[i] === 0) {
          seen[i] = 1
          out[n++] = i
        }
      }
    }
    const found = out.subarray(0, n)
    for (let j = 0; j < n; j++) seen[found[j]] = 0
    return found
  }

  /** The `#ranks` bits of smallest |projection| (ties: lower bit first), cheapest first. */
  #rankBits(z: Int32Array, at: number): void {
    const bitOf = this.#rankBit
    const costOf = this.#rankCost
    const m = this.#ranks
    if (m === 0) return
    let filled = 0
    for (let b = 0; b < this.params.bits; b++) {
      const c = Math.abs(z[at + b])
      if (filled === m && c >= costOf[m - 1]) continue
      let j = filled < m ? filled++ : m - 1
      while (j > 0 && costOf[j - 1] > c) {
        costOf[j] = costOf[j - 1]
        bitOf[j] = bitOf[j - 1]
        j--
      }
      costOf[j] = c
      bitOf[j] = b
    }
  }

  #flips(rankSet: number): number {
    let flip = 0
    for (let s = rankSet; s !== 0; s &= s - 1) flip |= 1 << this.#rankBit[31 - Math.clz32(s & -s)]
    return flip
  }
}

function signCode(z: Int32Array, at: number, bits: number): number {
  let code = 0
  for (let b = 0; b < bits; b++) if (z[at + b] >= 0) code |= 1 << b
  return code
}

/**
 * The probe order. Without `probes`: every bit pattern with at most `radius` bits (the Hamming
 * ball). With it: the first `probes` sets of at most `radius` cost ranks, ordered by their expected
 * cost — the i-th cheapest of b half-normal |projections| is about (i + ½)·c for small i, so a set
 * costs Σ (2i + 1) — then by bitmask. A fixed order in rank space needs no per-query heap.
 */
function probeTemplate(bits: number, radius: number, probes: number | undefined): Int32Array {
  if (probes === undefined) return Int32Array.from(ballMasks(bits, radius))
  const sets = ballMasks(Math.min(bits, 16), radius)
  const cost = (s: number) => {
    let c = 0
    for (let x = s; x !== 0; x &= x - 1) c += 2 * (31 - Math.clz32(x & -x)) + 1
    return c
  }
  sets.sort((a, b) => cost(a) - cost(b) || a - b)
  return Int32Array.from(sets.slice(0, probes))
}

/** XOR masks of every bit pattern with at most `radius` bits set, fewest bits first. */
function ballMasks(bits: number, radius: number): number[] {
  const out = [0]
  let frontier = [0]
  for (let r = 1; r <= radius; r++) {
    const next: number[] = []
    for (const m of frontier) {
      const top = m === 0 ? -1 : 31 - Math.clz32(m)
      for (let b = top + 1; b < bits; b++) next.push(m | (1 << b))
    }
    out.push(...next)
    frontier = next
  }
  return out
}
