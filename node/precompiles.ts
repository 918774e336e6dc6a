// The precompiles of a chain with the services they run on: the attribution engine (its kernel
// chosen by a start-up self-test, its indexed mode scored in a thread of its own), signature
// recovery in worker threads, and the default scoring graph the genesis must agree with.
import { createAddressFromString } from '@ethereumjs/util'
import { ConfigError } from './config.ts'
import type { OpalCrypto } from '../chain/index.ts'
import { SequencerBatch } from '../chain/receipts/sequencerBatch.ts'
import { ReceiptSigners } from '../chain/receipts/signers.ts'
import { RecoverPool } from '../chain/sigs/recoverPool.ts'
import { equal, fromHex, toHex } from '../chain/util/bytes.ts'
import type { Genesis } from '../genesis/index.ts'
import { AttributionEngine, createOpalPrecompiles, parsePrecompileSettings } from '../precompiles/index.ts'
import type { KernelSetting, OpalPrecompiles, PrecompileSettings } from '../precompiles/index.ts'
import { DEFAULT_GRAPH_ID } from '../precompiles/attribution/onnx/defaultGraph.ts'
import { defaultGraphTemplate } from '../precompiles/attribution/onnx/graph.ts'
import { ScoringThread } from '../precompiles/attribution/scoringThread.ts'

export interface PrecompileParts {
  settings: PrecompileSettings
  precompiles: OpalPrecompiles
  engine: AttributionEngine
  signatures: RecoverPool
  receiptSigners: ReceiptSigners
  /** the settlement batch the sequencer is executing, as its pool checked it */
  sequencerBatch: SequencerBatch
  close(): Promise<void>
}

export async function createPrecompileParts(genesis: Genesis, crypto: OpalCrypto, opts: { kernel: KernelSetting; threads: number }): Promise<PrecompileParts> {
  const settings = parsePrecompileSettings(genesis.precompiles, createAddressFromString(genesis.sequencer))
  const graphId = fromHex(DEFAULT_GRAPH_ID)
  if (settings.attribution.defaultGraph !== undefined && !equal(settings.attribution.defaultGraph, graphId)) {
    throw new ConfigError(`the genesis names default scoring graph ${toHex(settings.attribution.defaultGraph)}, but this node's is ${toHex(graphId)}`)
  }
  const thread = new ScoringThread()
  const engine = await AttributionEngine.create({ kernel: opts.kernel, intraOpNumThreads: opts.threads, settings: settings.attribution, defaultGraphId: graphId, thread })
  const signatures = new RecoverPool()
  const receiptSigners = new ReceiptSigners(signatures)
  const sequencerBatch = new SequencerBatch()
  const precompiles = createOpalPrecompiles(settings, { chainId: genesis.chainId, engine, signatures: receiptSigners, keccak: crypto.keccak256, checked: sequencerBatch, defaultGraph: { id: graphId, size: defaultGraphTemplate().length } })
  return {
    settings,
    precompiles,
    engine,
    signatures,
    receiptSigners,
    sequencerBatch,
    async close() {
      await signatures.close()
      await engine.close()
      await thread.close()
    },
  }
}
