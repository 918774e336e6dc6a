// The node's place in the network, wired from the parts: the sequencer signs and publishes the
// blocks it makes and takes transactions forwarded by followers; a follower imports the blocks it
// receives and forwards what its RPC is sent; a validator attests the state roots it re-executed.
// Every node keeps the attestations it hears, which make blocks "safe".
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { AttestationBook, BlockImporter } from '../chain/index.ts'
import type { Chain, ExecutedBlock, TxPool } from '../chain/index.ts'
import { OpalNetwork, addressOfKey, attestationSigningHash, sign } from '../p2p/index.ts'
import type { Attestation, SignedBlock } from '../p2p/index.ts'
import { p2pChain } from './p2pChain.ts'

export interface NetworkConfig {
  dataDir: string
  host: string
  port: number
  bootnodes: string[]
  mdns: boolean
  /** follower: import blocks from the network */
  follow: boolean
  /** this node makes the blocks */
  sequencing: boolean
  validatorKey?: Uint8Array
}

export interface NetworkRole {
  network: OpalNetwork
  attestations: AttestationBook
  importer: BlockImporter | undefined
  stop(): Promise<void>
}

const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'))
/** how far ahead of our head an attestation may wait for its block, and how many per block */
const EARLY_WINDOW = 256n
const MAX_EARLY_PER_BLOCK = 64

export async function startNetwork(cfg: NetworkConfig, chain: Chain, pool: TxPool, log: Logger, metrics?: Registry): Promise<NetworkRole> {
  const genesis = chain.genesis
  const attestations = new AttestationBook(chain, chain.database, genesis.validators, genesis.validatorQuorum)
  await attestations.load()
  let importer: BlockImporter | undefined
  if (cfg.follow) {
    importer = new BlockImporter(chain, log.child({ module: 'import' }))
    await importer.init()
  }
  const network = await OpalNetwork.create(
    {
      dataDir: cfg.dataDir,
      host: cfg.host,
      port: cfg.port,
      bootnodes: cfg.bootnodes,
      mdns: cfg.mdns,
      sequencer: bytes(genesis.sequencer),
      validators: genesis.validators.map(bytes),
    },
    { chain: p2pChain(chain, importer, cfg.sequencing), crypto: chain.crypto, log: log.child({ module: 'p2p' }), metrics },
  )
  // attestations can outrun the block they attest: they wait (boundedly) until it is imported
  const early = new Map<bigint, Array<{ a: Attestation; from: string }>>()
  const record = (a: Attestation, from: string) => {
    void attestations.add(a).then((outcome) => {
      if (outcome === 'mismatch') log.warn({ from, validator: `0x${Buffer.from(a.validator).toString('hex')}`, number: Number(a.blockNumber) }, 'attestation disagrees with our block or state root')
      if (outcome === 'unknown-block' && a.blockNumber > chain.head.number && a.blockNumber <= chain.head.number + EARLY_WINDOW) {
        const list = early.get(a.blockNumber) ?? []
        if (list.length < MAX_EARLY_PER_BLOCK) list.push({ a, from })
        early.set(a.blockNumber, list)
      }
    })
  }
  /** attestations that waited for this block are recorded now; those for older blocks are dropped */
  const releaseEarly = (e: ExecutedBlock) => {
    const n = e.block.header.number
    for (const m of [...early.keys()]) if (m < n) early.delete(m)
    const waiting = early.get(n)
    early.delete(n)
    for (const w of waiting ?? []) record(w.a, w.from)
  }
  network.onAttestation(record)
  network.onTransaction((raw) => {
    void pool.addRaw([raw])
  })
  /** the sequencer publishes its signed block; a validator attests it */
  const announce = (e: ExecutedBlock) => {
    const block = e.block
    if (!cfg.follow && e.signature !== undefined) {
      const signed: SignedBlock = { blockRlp: block.serialize(), signature: e.signature, number: block.header.number, hash: block.hash(), parentHash: block.header.parentHash, timestamp: block.header.timestamp }
      network.publishBlock(signed).catch((err: Error) => log.warn({ err: err.message }, 'publishing a block failed'))
    }
    if (cfg.validatorKey !== undefined) {
      const a: Attestation = {
        validator: addressOfKey(chain.crypto, cfg.validatorKey),
        chainId: chain.chainId,
        blockNumber: block.header.number,
        blockHash: block.hash(),
        stateRoot: block.header.stateRoot,
        signature: sign(chain.crypto, attestationSigningHash(chain.crypto, chain.chainId, block.header.number, block.hash(), block.header.stateRoot), cfg.validatorKey),
      }
      record(a, 'self')
      network.publishAttestation(a).catch((err: Error) => log.warn({ err: err.message }, 'publishing an attestation failed'))
    }
  }
  // a follower's pool learns of mined transactions from imported blocks, as the sequencer's does from its own
  const following = cfg.follow
  // one 'block' listener: waiting attestations, then the announcement, then the follower's pool
  const onBlock = (e: ExecutedBlock) => {
    releaseEarly(e)
    announce(e)
    if (following) void pool.onNewHead()
  }
  chain.on('block', onBlock)
  await network.start()
  return {
    network,
    attestations,
    importer,
    async stop() {
      chain.off('block', onBlock)
      await network.stop()
    },
  }
}
