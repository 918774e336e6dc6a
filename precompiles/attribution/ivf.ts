// The `ivf` index of the indexed attribution mode: an inverted file over an integer k-means of the
// candidate sketches. The candidates are partitioned into `lists` clusters; a query ranks the
// clusters and scores, exactly, the members of the best until `probeRows` candidates have been
// scored; the top k of those go through the same tie rule as a full scan. A cluster's rank is
// 4·(q·c) + ⌊|q|⌋·r, with c its centre and r the root-mean-square distance of its members from it:
// what its members can score, not only its centre (q·c alone needs ≈ 20% more candidates for the
// same recall, since a loose cluster holds members far better aligned with q than its centre).
//
// Why not only LSH: sign-bit LSH partitions space by fixed random planes, so on clustered sketches
// a big topic spreads over many buckets and a query must probe thousands of candidates (≈ 6,500 for
// recall@32 0.92 at N = 100,000). The centres here follow the data: ≈ 1,100 probed candidates give
// the same recall (measured by bench/attribution.ts), so scoring costs a sixth.
//
// Determinism: everything is integer arithmetic or a correctly rounded IEEE division, the same in
// every process. The initial centres are rows at seeded positions; each round assigns every
// training row to the centre maximising 2·x·c − |c|² (the nearest; ties to the lower centre) and
// moves each centre to the rounded mean of its rows (an empty cluster keeps its centre). The
// training rows are every `step`-th candidate; a final round assigns all of them. The index is a
// cache derived from the candidate set, like the matrix.
import { prngBytes } from './prng.ts'
import { BestClusters } from './wasm/bestClusters.ts'
import { Projector } from './wasm/projector.ts'

export interface IvfParams {
  /** clusters (at most one per 64 candidates are made) */
  lists: number
  /** a query scores whole clusters, best centre first, until it has scored at least this many candidates */
  probeRows: number
  /** k-means rounds */
  iterations: number
  /** 32-byte seed of the initial centres */
  seed: Uint8Array
}

/** A trained index as plain arrays (IvfIndex.parts / fromParts). */
export interface IvfParts {
  params: IvfParams
  size: number
  centres: Int8Array
  spread: Int32Array
  order: Int32Array
  first: Int32Array
}

/**
 * Tuned on clustered sketches like real ones (bench/lib/sketches.ts) at N = 100,000, d = 128:
 * recall@32 against exact ≈ 0.93 with ≈ 950 candidates scored per query (probeRows 700: 0.91;
 * 1,000: 0.94; ranking by q·c alone, 800: 0.90).
 */
export const DEFAULT_IVF: Omit<IvfParams, 'seed'> = { lists: 512, probeRows: 800, iterations: 6 }

/** training rows per cluster: enough for stable means, few enough to keep a rebuild short */
const TRAIN_PER_LIST = 48
/** smallest average cluster: fewer candidates make fewer clusters */
const MIN_LIST_SIZE = 64
const CHUNK = 1024
const TAKEN = -2147483648
/** clusters per sort key (at most 65,536 clusters); the kernel's `best` (wasm/kernel.wat) writes the keys with it */
const KEY_SPAN = 65_536

export class IvfIndex {
  readonly params: IvfParams
  readonly size: number
  readonly lists: number
  /** centres, lists × dim int8 */
  readonly centres: Int8Array
  /** root-mean-square distance of each cluster's members from its centre, rounded down */
  readonly spread: Int32Array
  /** candidate indexes grouped by cluster (ascending within one): cluster c is order[first[c] … first[c + 1]) */
  readonly order: Int32Array
  readonly first: Int32Array
  readonly #projector: Projector
  readonly #best: BestClusters
  /** blocks of a probe's first pass: twice the clusters an average query needs, at least 8 */
  readonly #blocks: number

  private constructor(params: IvfParams, size: number, centres: Int8Array, spread: Int32Array, projector: Projector, best: BestClusters, order: Int32Array, first: Int32Array) {
    this.params = params
    this.spread = spread
    this.size = size
    this.lists = first.length - 1
    this.centres = centres
    this.#projector = projector
    this.order = order
    this.first = first
    this.#best = best
    this.#blocks = Math.min(this.lists, Math.max(8, Math.ceil((2 * params.probeRows * this.lists) / Math.max(1, size))))
  }

  static async build(rows: Int8Array, dim: number, params: IvfParams): Promise<IvfIndex> {
    if (!(params.lists >= 1 && params.probeRows >= 1 && params.iterations >= 0)) throw new Error('IVF: lists ≥ 1, probeRows ≥ 1, iterations ≥ 0')
    const n = rows.length / dim
    const lists = Math.max(1, Math.min(params.lists, Math.floor(n / MIN_LIST_SIZE)))
    const centres = initialCentres(rows, dim, n, lists, params.seed)
    const step = Math.max(1, Math.floor(n / (lists * TRAIN_PER_LIST)))
    const training = Math.ceil(n / step)
    const assigned = new Int32Array(n)
    for (let round = 0; round < params.iterations; round++) {
      await assign(rows, dim, centres, lists, step, training, assigned)
      moveCentres(rows, dim, centres, lists, step, training, assigned)
    }
    await assign(rows, dim, centres, lists, 1, n, assigned)
    // counting sort: members of a cluster stay in ascending candidate order
    const first = new Int32Array(lists + 1)
    for (let i = 0; i < n; i++) first[assigned[i] + 1]++
    for (let c = 0; c < lists; c++) first[c + 1] += first[c]
    const fill = first.slice(0, lists)
    const order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[fill[assigned[i]]++] = i
    const spread = rmsDistances(rows, dim, centres, lists, assigned)
    return IvfIndex.fromParts({ params, size: n, centres, spread, order, first }, dim)
  }

  /** What the index is made of: enough to make the same index elsewhere (another thread) without training it. */
  parts(): IvfParts {
    return { params: this.params, size: this.size, centres: this.centres, spread: this.spread, order: this.order, first: this.first }
  }

  static async fromParts(p: IvfParts, dim: number): Promise<IvfIndex> {
    const lists = p.first.length - 1
    return new IvfIndex(p.params, p.size, p.centres, p.spread, await Projector.create(p.centres, dim, 256), await BestClusters.create(lists), p.order, p.first)
  }

  /** The rank of every cluster for each query of a batch (B × dim): pass them to `probe`. */
  project(queries: Int8Array): Int32Array {
    const z = this.#projector.project(queries)
    const dim = this.#projector.dim
    const lists = this.lists
    const spread = this.spread
    for (let b = 0, at = 0; b < z.length / lists; b++) {
      let qq = 0
      for (let j = b * dim; j < (b + 1) * dim; j++) qq += queries[j] * queries[j]
      const norm = isqrt(qq)
      // |4·q·c| ≤ 4·128²·1024 and |q|·r ≤ 2·128²·1024 for sketches of up to 1,024 bytes: exact in
      // int32 arithmetic, which keeps this loop on small integers
      for (let c = 0; c < lists; c++, at++) z[at] = ((z[at] << 2) + Math.imul(norm, spread[c])) | 0
    }
    return z
  }

  /**
   * The clusters query q of a projected batch scores, best centre first (ties: lower cluster), as
   * (first, count) ranges into `order`, written to `out` (2 × lists); returns the number of ranges.
   * Consumes q's projections.
   */
  probe(z: Int32Array, q: number, out: Int32Array): number {
    const scores = z.subarray(q * this.lists, (q + 1) * this.lists)
    const first = this.first
    const keys = this.#best.gather(scores, this.#blocks)
    let next = keys.length
    let scored = 0
    let r = 0
    while (scored < this.params.probeRows) {
      let c = -1
      if (next > 0) {
        // every cluster held ranks above every cluster not held: the best held is the best left
        const t = keys[--next] % KEY_SPAN
        c = KEY_SPAN - 1 - (t < 0 ? t + KEY_SPAN : t)
      } else {
        let best = TAKEN
        for (let i = 0; i < scores.length; i++) {
          if (scores[i] > best) {
            best = scores[i]
            c = i
          }
        }
        if (c < 0) break
      }
      scores[c] = TAKEN
      const count = first[c + 1] - first[c]
      if (count === 0) continue
      out[2 * r] = first[c]
      out[2 * r + 1] = count
      r++
      scored += count
    }
    return r
  }

  /** The rows in cluster order (row p is candidate order[p]): what the kernels scan. */
  reorder(rows: Int8Array, dim: number): Int8Array {
    const out = new Int8Array(rows.length)
    for (let p = 0; p < this.size; p++) out.set(rows.subarray(this.order[p] * dim, this.order[p] * dim + dim), p * dim)
    return out
  }
}

/** ⌊√(mean squared distance of a cluster's rows from its centre)⌋, exactly (integers below 2⁵³) */
function rmsDistances(rows: Int8Array, dim: number, centres: Int8Array, lists: number, assigned: Int32Array): Int32Array {
  const sums = new Float64Array(lists)
  const sizes = new Float64Array(lists)
  for (let i = 0; i < assigned.length; i++) {
    const c = assigned[i]
    let d = 0
    for (let j = 0; j < dim; j++) {
      const e = rows[i * dim + j] - centres[c * dim + j]
      d += e * e
    }
    sums[c] += d
    sizes[c]++
  }
  return Int32Array.from(sums, (sum, c) => (sizes[c] === 0 ? 0 : isqrt(Math.floor(sum / sizes[c]))))
}

/** ⌊√n⌋ for an integer 0 ≤ n < 2⁵³, corrected to the exact integer whatever the float square root gave */
export function isqrt(n: number): number {
  let r = Math.floor(Math.sqrt(n))
  while (r * r > n) r--
  while ((r + 1) * (r + 1) <= n) r++
  return r
}

/** Rows at evenly spaced positions, shifted by an offset drawn from the seed. */
function initialCentres(rows: Int8Array, dim: number, n: number, lists: number, seed: Uint8Array): Int8Array {
  const gap = Math.floor(n / lists)
  const offset = new DataView(prngBytes(seed, 4).buffer).getUint32(0) % gap
  const centres = new Int8Array(lists * dim)
  for (let c = 0; c < lists; c++) {
    const i = c * gap + offset
    centres.set(rows.subarray(i * dim, i * dim + dim), c * dim)
  }
  return centres
}

/** assigned[i] for rows i = 0, step, 2·step … (count of them): the nearest centre. */
async function assign(rows: Int8Array, dim: number, centres: Int8Array, lists: number, step: number, count: number, assigned: Int32Array): Promise<void> {
  const projector = await Projector.create(centres, dim, CHUNK)
  const norms = new Float64Array(lists)
  for (let c = 0; c < lists; c++) {
    let s = 0
    for (let j = 0; j < dim; j++) s += centres[c * dim + j] * centres[c * dim + j]
    norms[c] = s
  }
  const batch = new Int8Array(CHUNK * dim)
  const z = new Int32Array(CHUNK * lists)
  for (let from = 0; from < count; from += CHUNK) {
    const m = Math.min(CHUNK, count - from)
    for (let b = 0; b < m; b++) {
      const i = (from + b) * step
      batch.set(rows.subarray(i * dim, i * dim + dim), b * dim)
    }
    projector.project(batch.subarray(0, m * dim), z)
    for (let b = 0; b < m; b++) {
      let best = -Infinity
      let bestC = 0
      for (let c = 0; c < lists; c++) {
        const v = 2 * z[b * lists + c] - norms[c]
        if (v > best) {
          best = v
          bestC = c
        }
      }
      assigned[(from + b) * step] = bestC
    }
  }
}

/** Each centre to the mean of its training rows, rounded half up; an empty cluster keeps its centre. */
function moveCentres(rows: Int8Array, dim: number, centres: Int8Array, lists: number, step: number, count: number, assigned: Int32Array): void {
  const sums = new Float64Array(lists * dim)
  const sizes = new Float64Array(lists)
  for (let t = 0; t < count; t++) {
    const i = t * step
    const c = assigned[i]
    sizes[c]++
    for (let j = 0; j < dim; j++) sums[c * dim + j] += rows[i * dim + j]
  }
  for (let c = 0; c < lists; c++) {
    if (sizes[c] === 0) continue
    for (let j = 0; j < dim; j++) centres[c * dim + j] = Math.floor((2 * sums[c * dim + j] + sizes[c]) / (2 * sizes[c]))
  }
}
