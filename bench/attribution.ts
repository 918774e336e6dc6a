// npm run bench:attribution — Proof-of-Attribution scoring of receipts against 100,000
// contributions with 128-byte sketches (clustered, realistic data from bench/lib/sketches.ts):
// the exact kernel the start-up self-test picks, per receipt and per block batch of 256; the
// WebAssembly reference for comparison; the indexed mode with the genesis default index (IVF)
// amortised over a batch of 256 on one thread, its recall@32 against exact, and the index build
// time; the LSH index the same way, for comparison. Timings are medians of
// repeated rounds (the machine may be busy with other work).
//   node bench/attribution.ts [--contributions 100000] [--dim 128] [--threads 2] [--recall-queries 1024]
import { parseArgs } from 'node:util'
import { CandidateSet, DEFAULT_IVF, DEFAULT_LSH, IvfIndex, LshIndex, selfTest } from '../precompiles/attribution/index.ts'
import type { CandidateSetOptions, Mode, Scored } from '../precompiles/attribution/index.ts'
import { clusteredSketches } from './lib/sketches.ts'

const { values: args } = parseArgs({
  options: {
    contributions: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '128' },
    threads: { type: 'string', default: '2' },
    'recall-queries': { type: 'string', default: '1024' },
  },
})
const N = Number(args.contributions)
const DIM = Number(args.dim)
const THREADS = Number(args.threads)
const RECALL_QUERIES = Math.ceil(Number(args['recall-queries']) / 256) * 256
const K = 32
const BATCH = 256
const ROUNDS = 5
/** a round of the IVF over every recall query takes ≈ 20 ms: more rounds give a steadier median on a shared machine */
const IVF_ROUNDS = 25
const log = (m: string) => process.stderr.write(`${m}\n`)
const ms = (x: number) => `${x.toFixed(x < 1 ? 4 : 2)} ms`

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
async function timed(work: () => Promise<unknown>): Promise<number> {
  return (await timedValue(work))[1]
}
async function timedValue<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now()
  const value = await work()
  return [value, performance.now() - t]
}
/** median over rounds of the mean time per unit (`units` per round) */
async function perUnit(rounds: number, units: number, work: () => Promise<unknown>): Promise<number> {
  await work() // warm-up: first runs allocate and compile
  const times: number[] = []
  for (let r = 0; r < rounds; r++) times.push((await timed(work)) / units)
  return median(times)
}
const query = (qs: Int8Array, i: number) => qs.subarray(i * DIM, (i + 1) * DIM)

let t = performance.now()
const data = clusteredSketches({ n: N, dim: DIM, seed: 1 })
const queries = data.queries(RECALL_QUERIES, 2)
log(`${N} contributions × ${DIM}-byte sketches generated in ${((performance.now() - t) / 1000).toFixed(1)} s`)

const choice = await selfTest({ intraOpNumThreads: THREADS })
log(`exact kernel: ${choice.kernel} (${choice.reason})`)

/** every recall query, scored in batches of BATCH */
async function scoreAll(set: CandidateSet, mode: Mode): Promise<Scored[][]> {
  const out: Scored[][] = []
  for (let b = 0; b < RECALL_QUERIES; b += BATCH) out.push(...(await set.scoreBatch(queries.subarray(b * DIM, (b + BATCH) * DIM), mode)))
  return out
}

/** timings of the exact mode; with `recall`, also the exact answers to every recall query (untimed) */
async function exactLatency(kernel: 'onnx' | 'wasm', threads: number, single: number, recall = false): Promise<{ one: number; batch: number; build: number; truth?: Scored[][] }> {
  const [s, build] = await timedValue(() => CandidateSet.build(data.rows, DIM, K, { kernel, intraOpNumThreads: threads }))
  const one = await perUnit(ROUNDS, single, async () => { for (let i = 0; i < single; i++) await s.scoreOne(query(queries, i), 'exact') })
  const batch = await perUnit(ROUNDS, 1, () => s.scoreBatch(queries.subarray(0, BATCH * DIM), 'exact'))
  const truth = recall ? await scoreAll(s, 'exact') : undefined
  await s.release()
  return { one, batch, build, truth }
}

const exact = await exactLatency(choice.kernel, THREADS, 200, true)
// the exact answers, for recall
const truth = exact.truth!
log(`exact (${choice.kernel}, ${THREADS} threads): ${ms(exact.one)} per receipt unbatched (mean of 200, median of ${ROUNDS} rounds), ${ms(exact.batch)} per batch of ${BATCH}; set built in ${ms(exact.build)}`)
const wasm = choice.kernel === 'wasm' ? exact : await exactLatency('wasm', 1, 100)
log(`exact (WebAssembly reference, 1 thread): ${ms(wasm.one)} per receipt unbatched (mean of 100), ${ms(wasm.batch)} per batch of ${BATCH}; set built in ${ms(wasm.build)}`)

interface Indexed { perReceipt: number; recall: number; mass: number; build: number }

/** the indexed mode on one thread: time per receipt amortised over batches, recall@32 against exact */
async function indexed(index: Pick<CandidateSetOptions, 'ivf' | 'lsh'>, buildIndex: () => Promise<unknown>, rounds = ROUNDS): Promise<Indexed> {
  const builds: number[] = []
  for (let r = 0; r < 3; r++) builds.push(await timed(buildIndex))
  const set = await CandidateSet.build(data.rows, DIM, K, { kernel: 'wasm', intraOpNumThreads: 1, ...index })
  let got: Scored[][] = []
  const perReceipt = await perUnit(rounds, RECALL_QUERIES, async () => { got = await scoreAll(set, 'indexed') })
  let hits = 0
  let total = 0
  let mass = 0
  let massTotal = 0
  truth.forEach((want, q) => {
    const found = new Set(got[q].map((s) => s.index))
    for (const s of want) {
      total++
      massTotal += s.score
      if (found.has(s.index)) {
        hits++
        mass += s.score
      }
    }
  })
  return { perReceipt, recall: hits / total, mass: mass / massTotal, build: median(builds) }
}

const seed = new Uint8Array(32).fill(0x0a)
const ivf = await indexed({ ivf: { ...DEFAULT_IVF, seed } }, () => IvfIndex.build(data.rows, DIM, { ...DEFAULT_IVF, seed }), IVF_ROUNDS)
log(`indexed, IVF ${JSON.stringify(DEFAULT_IVF)} (the default), 1 thread: ${ms(ivf.perReceipt)} per receipt amortised over batches of ${BATCH} (median of ${IVF_ROUNDS} rounds); recall@${K} ${ivf.recall.toFixed(3)} over ${RECALL_QUERIES} receipts (score mass found: ${ivf.mass.toFixed(3)}); index built in ${ms(ivf.build)} (median of 3)`)
const lsh = await indexed({ lsh: { ...DEFAULT_LSH, seed } }, () => LshIndex.build(data.rows, DIM, { ...DEFAULT_LSH, seed }))
log(`indexed, LSH ${JSON.stringify(DEFAULT_LSH)}, 1 thread: ${ms(lsh.perReceipt)} per receipt amortised over batches of ${BATCH}; recall@${K} ${lsh.recall.toFixed(3)} (score mass found: ${lsh.mass.toFixed(3)}); index built in ${ms(lsh.build)}`)

log(JSON.stringify({
  exact_kernel: choice.kernel,
  wasm_ms_per_receipt: round(wasm.one),
  wasm_ms_per_batch_256: round(wasm.batch),
  index_build_ms: round(ivf.build),
  indexed_score_mass_at_32: round(ivf.mass),
  lsh_ms_per_receipt: round(lsh.perReceipt),
  lsh_recall_at_32: round(lsh.recall),
}))
// the last line: exactly the figures the benchmark is defined by
console.log(JSON.stringify({
  ms_per_receipt: round(exact.one),
  ms_per_batch_256: round(exact.batch),
  indexed_ms_per_receipt: round(ivf.perReceipt),
  indexed_recall_at_32: round(ivf.recall),
  contributions: N,
}))

function round(x: number): number {
  return Number(x.toPrecision(4))
}
