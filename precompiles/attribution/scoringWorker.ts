// The scoring thread (scoringThread.ts): holds candidate sets given to it and scores batches
// against them with the code the main thread uses (clustered.ts).
import { parentPort } from 'node:worker_threads'
import { clusteredFrom, scoreClustered } from './clustered.ts'
import type { Clustered } from './clustered.ts'
import { IvfIndex } from './ivf.ts'
import type { ScoringRequest, ScoringResponse } from './scoringThread.ts'

interface Held {
  ivf: Clustered
  dim: number
  k: number
}

const sets = new Map<number, Held>()
/** the JS kernel's rows: never read, every set here is scanned by WebAssembly */
const NO_ROWS = new Int8Array(0)

parentPort?.on('message', (req: ScoringRequest) => {
  if (req.type === 'detach') {
    sets.delete(req.set)
    return
  }
  void answer(req).then(
    (res) => parentPort?.postMessage(res, 'counts' in res ? [res.counts.buffer as ArrayBuffer, res.pairs.buffer as ArrayBuffer] : []),
    (err: Error) => parentPort?.postMessage({ id: req.id, error: err.message } satisfies ScoringResponse),
  )
})

async function answer(req: Exclude<ScoringRequest, { type: 'detach' }>): Promise<ScoringResponse> {
  if (req.type === 'attach') {
    const index = await IvfIndex.fromParts(req.index, req.dim)
    sets.set(req.set, { ivf: await clusteredFrom(index, req.reordered, req.dim), dim: req.dim, k: req.k })
    // held: acknowledged with an empty answer
    return { id: req.id, counts: new Int32Array(0), pairs: new Int32Array(0) }
  }
  const held = sets.get(req.set)
  if (held === undefined) throw new Error(`candidate set ${req.set} is not held here`)
  const tops = scoreClustered(held.ivf, NO_ROWS, held.dim, held.k, req.queries)
  const counts = Int32Array.from(tops, (t) => t.length)
  const pairs = new Int32Array(2 * counts.reduce((a, b) => a + b, 0))
  let p = 0
  for (const top of tops) {
    for (const s of top) {
      pairs[p++] = s.index
      pairs[p++] = s.score
    }
  }
  return { id: req.id, counts, pairs }
}
