// Deterministic, realistic-looking attribution sketches for benchmarks and tests: contributions
// fall into topic clusters whose sizes are heavy-tailed (a few big topics, many small ones) and
// whose spread varies (tight near-duplicates to loose topics). Inside a cluster, items vary mostly
// along a few latent factors — embeddings have a low intrinsic dimension, and an isotropic
// Gaussian blob would be unlike any real data — plus some full-dimensional noise. Rows share a
// common direction and their norms vary, as embeddings and gradient projections do; values are
// rounded and clamped to int8. A query is what an inference output's sketch looks like: a noisy
// mix of one to three training contributions, usually related ones.
// Seeded (never Math.random): the same options give the same bytes in every process.

export interface ClusteredOptions {
  n: number
  dim: number
  seed: number
  /** number of topic clusters (default n / 100) */
  clusters?: number
  /** cluster size ∝ (rank + 4)^−zipf (default 1.1: the biggest holds ~6% of the rows) */
  zipf?: number
  /** clusters come in families of related topics (default 20 clusters a family) */
  family?: number
  /** share of a cluster centre's variance it has from its family (default 0.5) */
  kinship?: number
  /** within-cluster spread relative to the centre, drawn per cluster from [min, max] (default [0.3, 0.9]) */
  spread?: [number, number]
  /** latent factors a cluster varies along (default 8: embeddings have a low intrinsic dimension) */
  latent?: number
  /** share of the within-cluster variance that is unstructured, full-dimensional noise (default 0.2) */
  isotropic?: number
  /** weight of the direction all rows share (default 0.3) */
  common?: number
  /** row norms vary by ± this fraction (default 0.2) */
  gain?: number
  /** int8 units per unit of standard deviation (default 40: about 0.2% of values saturate) */
  scale?: number
  /** noise of a query relative to its sources (default 0.6) */
  queryNoise?: number
  /** chance that a query's second or third source is from the first one's cluster (default 0.7) */
  related?: number
}

export interface SketchData {
  rows: Int8Array
  /** count queries × dim, each near one to three rows */
  queries(count: number, seed: number): Int8Array
}

/** sfc32: a small, fast generator with a 128-bit state; uniform in [0, 1) */
function uniform(seed: number): () => number {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next = () => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 16; i++) next()
  return next
}

/** approximately standard normal: Irwin–Hall of 4 uniforms (no transcendental functions) */
function normal(u: () => number): () => number {
  return () => (u() + u() + u() + u() - 2) * Math.sqrt(3)
}

function saturate(x: number): number {
  const r = Math.round(x)
  return r > 127 ? 127 : r < -128 ? -128 : r
}

export function clusteredSketches(o: ClusteredOptions): SketchData {
  const { n, dim } = o
  const clusters = o.clusters ?? Math.max(1, Math.round(n / 100))
  const zipf = o.zipf ?? 1.1
  const [spreadMin, spreadMax] = o.spread ?? [0.3, 0.9]
  const latent = o.latent ?? 8
  const family = o.family ?? 20
  const kinship = o.kinship ?? 0.5
  const isotropic = o.isotropic ?? 0.2
  const common = o.common ?? 0.3
  const gainSpread = o.gain ?? 0.2
  const scale = o.scale ?? 40
  const queryNoise = o.queryNoise ?? 0.6
  const related = o.related ?? 0.7
  const u = uniform(o.seed)
  const g = normal(u)

  const shared = Float64Array.from({ length: dim }, g)
  const families = Math.ceil(clusters / family)
  const familyCentres = Float64Array.from({ length: families * dim }, g)
  // families are interleaved over the size ranks, so every family has big and small topics
  const centres = Float64Array.from({ length: clusters * dim }, (_, x) => {
    const f = Math.floor(x / dim) % families
    return Math.sqrt(kinship) * familyCentres[f * dim + (x % dim)] + Math.sqrt(1 - kinship) * g() + common * shared[x % dim]
  })
  const spread = Float64Array.from({ length: clusters }, () => spreadMin + (spreadMax - spreadMin) * u())
  // each centre is normalised so a cluster's spread, not its centre, decides how tight it is
  for (let c = 0; c < clusters; c++) {
    let s = 0
    for (let j = 0; j < dim; j++) s += centres[c * dim + j] ** 2
    const f = 1 / Math.sqrt(s / dim)
    for (let j = 0; j < dim; j++) centres[c * dim + j] *= f
  }
  // per cluster, dim × latent loadings of unit variance per coordinate
  const loadings = Float64Array.from({ length: clusters * dim * latent }, () => g() / Math.sqrt(latent))
  const cumulative = new Float64Array(clusters)
  let total = 0
  for (let c = 0; c < clusters; c++) cumulative[c] = total += (c + 4) ** -zipf
  const pick = () => {
    const x = u() * total
    let lo = 0
    let hi = clusters - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid] > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  const rows = new Int8Array(n * dim)
  const cluster = new Int32Array(n)
  const z = new Float64Array(latent)
  const structured = Math.sqrt(1 - isotropic)
  const unstructured = Math.sqrt(isotropic)
  for (let i = 0; i < n; i++) {
    const c = pick()
    cluster[i] = c
    const s = spread[c]
    const gain = (scale * (1 - gainSpread + 2 * gainSpread * u())) / Math.sqrt(1 + s * s)
    for (let f = 0; f < latent; f++) z[f] = g()
    for (let j = 0; j < dim; j++) {
      let x = 0
      const l = (c * dim + j) * latent
      for (let f = 0; f < latent; f++) x += loadings[l + f] * z[f]
      rows[i * dim + j] = saturate(gain * (centres[c * dim + j] + s * (structured * x + unstructured * g())))
    }
  }

  // rows by cluster, to draw a query's related sources
  const first = new Int32Array(clusters + 1)
  for (let i = 0; i < n; i++) first[cluster[i] + 1]++
  for (let c = 0; c < clusters; c++) first[c + 1] += first[c]
  const byCluster = new Int32Array(n)
  const fill = first.slice(0, clusters)
  for (let i = 0; i < n; i++) byCluster[fill[cluster[i]]++] = i

  const queries = (count: number, seed: number): Int8Array => {
    const v = uniform(seed ^ 0x51ed270b)
    const w = normal(v)
    const out = new Int8Array(count * dim)
    const mix = new Float64Array(dim)
    for (let q = 0; q < count; q++) {
      const r = v()
      const sources = r < 0.5 ? 1 : r < 0.8 ? 2 : 3
      mix.fill(0)
      let weights = 0
      const primary = Math.floor(v() * n)
      const c = cluster[primary]
      for (let s = 0; s < sources; s++) {
        const row = s === 0 ? primary : v() < related ? byCluster[first[c] + Math.floor(v() * (first[c + 1] - first[c]))] : Math.floor(v() * n)
        const weight = s === 0 ? 1 : 0.3 + 0.5 * v()
        weights += weight
        for (let j = 0; j < dim; j++) mix[j] += weight * rows[row * dim + j]
      }
      for (let j = 0; j < dim; j++) out[q * dim + j] = saturate(mix[j] / weights + queryNoise * scale * w())
    }
    return out
  }
  return { rows, queries }
}
