// The example a devnet starts with, so there is something to look at and build on: one Datanet
// with eight accepted contributions and a published version, one model trained on it, one
// adapter of that model, an inference server (dev account 9, staked) and an escrow for dev
// account 0 to pay for inference. (The "precompiles" section of the genesis, as JSON.)
import { keccak_256 } from '@noble/hashes/sha3.js'
import { devAccount } from './devAccounts.ts'

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`
const h = (s: string) => hex(keccak_256(new TextEncoder().encode(s)))

/** A deterministic int8 sketch: bytes of keccak("opal example sketch i", chunk). */
function sketch(i: number, dim: number): string {
  const out = new Uint8Array(dim)
  for (let o = 0; o < dim; o += 32) out.set(keccak_256(new TextEncoder().encode(`opal example sketch ${i}/${o}`)).subarray(0, Math.min(32, dim - o)), o)
  return hex(out)
}

/** The inference server of a devnet: dev account 9 signs its receipts. */
export const DEV_SERVER_INDEX = 9
const OPEN = 10n ** 18n

/** `defaultGraph`: the keccak256 of the node's default scoring graph, for the genesis to name. */
export function devExamplePrecompiles(defaultGraph?: string): Record<string, unknown> {
  const owner = devAccount(0).address
  const curators = [1, 2, 3].map((i) => devAccount(i).address)
  const server = devAccount(DEV_SERVER_INDEX).address
  return {
    withdrawDelaySeconds: 60,
    servers: { minStake: (10n * OPEN).toString(), unbondingDelaySeconds: 60 },
    receipts: { escrowWithdrawDelaySeconds: 60, idleReceipts: 100 },
    ...(defaultGraph === undefined ? {} : { attribution: { defaultGraph } }),
    initial: {
      servers: [{ operator: server, signer: server, endpoint: 'http://127.0.0.1:8000', stake: (100n * OPEN).toString() }],
      escrows: [{ payer: owner, amount: (100n * OPEN).toString() }],
      datanets: [
        {
          owner,
          name: 'opal-example',
          schemaURI: 'ipfs://bafy-opal-example-schema',
          schemaHash: h('opal example schema'),
          minStake: '1000000000000000000',
          sketchDim: 128,
          licenseURI: 'https://creativecommons.org/licenses/by/4.0/',
          curators,
          quorum: 2,
          contributions: Array.from({ length: 8 }, (_, i) => ({
            contributor: devAccount(4 + (i % 4)).address,
            contentHash: h(`opal example contribution ${i}`),
            sketch: sketch(i, 128),
            metadataURI: `ipfs://bafy-opal-example-${i}`,
          })),
          publish: true,
        },
      ],
      models: [
        {
          owner,
          baseModel: 'llama-3-8b',
          name: 'opal-example-model',
          datanetVersions: [{ datanetId: 1, version: 1 }],
          trainingRunHash: h('opal example training run'),
        },
      ],
      adapters: [
        {
          modelId: 1,
          owner,
          weightsHash: h('opal example adapter weights'),
          weightsURI: 'ipfs://bafy-opal-example-adapter',
          rank: 16,
          targetModules: 'q_proj,v_proj',
          pricePerKTokens: '1000000000000000',
        },
      ],
    },
  }
}
