// A network of real nodes on loopback (libp2p over TCP): transactions sent to a follower are mined,
// every node reaches the same head and state root, late and restarted nodes catch up by sync, a
// rogue peer is rejected, scored down and banned, and `safe` needs a quorum of validators.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBlock } from '@ethereumjs/block'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { sha256 } from '@noble/hashes/sha2.js'
import { createLibp2p } from 'libp2p'
import { pino } from 'pino'
import { createPublicClient, createWalletClient, defineChain, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEFAULT_CONFIG, OpalNode, startDevnet } from '../../node/index.ts'
import type { Devnet } from '../../node/index.ts'
import { nodeRpc as rpc, until } from '../support/nodes.ts'
import { DEV_SEQUENCER_INDEX, devAccount } from '../../genesis/index.ts'
import { blockSigningHash, encodeBlockMessage, readBlock, sign, topicName } from '../../p2p/index.ts'
import { DEV_KEYS } from '../support/contracts.ts'

const log = pino({ level: 'silent' })
const chain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
const DEAD = '0x000000000000000000000000000000000000dEaD'
const config = { ...DEFAULT_CONFIG, port: 0, p2pPort: 0, blockTime: 0, logLevel: 'silent' as const }
let devnet: Devnet
const extra: OpalNode[] = []

before(async () => {
  devnet = await startDevnet({ accounts: 10, nodes: 4 }, config, log)
})

after(async () => {
  for (const n of extra) await n.stop()
  await devnet.stop()
})

const heads = (nodes: OpalNode[]) => nodes.map((n) => ({ number: String(n.chain.head.number), hash: Buffer.from(n.chain.head.hash()).toString('hex'), root: Buffer.from(n.chain.head.stateRoot).toString('hex') }))


const allAgree = (nodes: OpalNode[]) => new Set(heads(nodes).map((h) => JSON.stringify(h))).size === 1

test('a transaction sent to a follower is mined by the sequencer and every node agrees on head and state root', async () => {
  const follower = devnet.nodes[2]
  await until('the followers to connect', () => devnet.nodes.slice(1).every((n) => (n.net?.network.peers().length ?? 0) > 0))
  const wallet = createWalletClient({ account: privateKeyToAccount(DEV_KEYS[0]), chain, transport: http(follower.rpc.url) })
  const hash = await wallet.sendTransaction({ account: privateKeyToAccount(DEV_KEYS[0]), chain, to: DEAD, value: parseEther('1') })
  const client = createPublicClient({ chain, transport: http(follower.rpc.url), pollingInterval: 50 })
  const receipt = await client.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, 'success')
  await until('all nodes at the same head', () => allAgree(devnet.nodes))
  for (const n of devnet.nodes) assert.equal(await rpc(n, 'eth_getBalance', [DEAD, 'latest']), '0xde0b6b3a7640000')
  // the follower's own pool forgets the transaction once an imported block mined it
  await until('the follower pool to drop the mined transaction', () => follower.pool.size === 0, 5_000)
  assert.equal(await rpc(devnet.nodes[1], 'net_peerCount'), '0x1')
  const peers = (await rpc(devnet.nodes[0], 'admin_peers')) as unknown[]
  assert.equal(peers.length, 3)
})

test('safe advances with a quorum of validator attestations, and only with it', async () => {
  const seq = devnet.nodes[0]
  await rpc(seq, 'evm_mine')
  const target = seq.chain.head.number
  await until('a quorum of attestations', () => seq.chain.safeNumber >= target)
  assert.equal(((await rpc(seq, 'opal_getAttestations', [`0x${target.toString(16)}`])) as unknown[]).length, 3)
  // one of three validators leaves: the quorum (3) cannot be met
  const leaving = devnet.nodes[3]
  const dataDir = leaving.config.dataDir
  await leaving.stop()
  await rpc(seq, 'evm_mine')
  await rpc(seq, 'evm_mine')
  await until('the remaining followers to import', () => allAgree(devnet.nodes.slice(0, 3)))
  await new Promise((r) => setTimeout(r, 500))
  assert.equal(seq.chain.safeNumber, target, 'safe does not move without a quorum')
  // it comes back, catches up, attests, and safe moves again
  const back = await OpalNode.start({ ...leaving.config, dataDir, bootnodes: seq.net!.network.multiaddrs()[0] }, { genesis: devnet.genesis }, log)
  devnet.nodes[3] = back
  await until('the validator to catch up', () => back.chain.head.number === seq.chain.head.number)
  await until('safe to advance', () => seq.chain.safeNumber === seq.chain.head.number)
})

test('a follower stopped and restarted 200 blocks later catches up; a new node syncs from empty', async () => {
  const seq = devnet.nodes[0]
  const follower = devnet.nodes[1]
  const cfg = follower.config
  await follower.stop()
  await rpc(seq, 'anvil_mine', ['0xc8'])
  const target = seq.chain.head.number
  const restarted = await OpalNode.start({ ...cfg, bootnodes: seq.net!.network.multiaddrs()[0] }, { genesis: devnet.genesis }, log)
  devnet.nodes[1] = restarted
  const fresh = await OpalNode.start(
    { ...config, dataDir: mkdtempSync(join(tmpdir(), 'opal-fresh-')), follow: true, p2p: true, bootnodes: seq.net!.network.multiaddrs()[0] },
    { genesis: devnet.genesis },
    log,
  )
  extra.push(fresh)
  await until('the restarted follower to catch up', () => restarted.chain.head.number >= target, 30_000)
  await until('the new node to sync from empty', () => fresh.chain.head.number >= target, 30_000)
  assert.deepEqual(restarted.chain.head.stateRoot, seq.chain.head.stateRoot)
  assert.deepEqual(fresh.chain.head.hash(), (await seq.chain.header(fresh.chain.head.number))!.hash())
})

test('a rogue peer sending bad blocks and garbage is rejected, scored down and banned; honest nodes keep the right head', async () => {
  const seq = devnet.nodes[0]
  const victim = devnet.nodes[2]
  const rogue = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ globalSignaturePolicy: 'StrictNoSign', msgIdFn: (m) => sha256(m.data), allowPublishToZeroTopicPeers: true }) },
  })
  try {
    await rogueAttack(rogue, seq, victim)
  } finally {
    await rogue.stop()
  }
})

async function rogueAttack(rogue: Awaited<ReturnType<typeof createLibp2p<{ identify: ReturnType<ReturnType<typeof identify>>; pubsub: ReturnType<ReturnType<typeof gossipsub>> }>>>, seq: OpalNode, victim: OpalNode): Promise<void> {
  const topic = topicName(31337n, 'blocks')
  const txTopic = topicName(31337n, 'txs')
  rogue.services.pubsub.subscribe(topic)
  rogue.services.pubsub.subscribe(txTopic)
  await rogue.dial(multiaddr(victim.net!.network.multiaddrs()[0]))
  await until('the rogue to join the mesh', () => rogue.services.pubsub.getSubscribers(topic).length > 0 && rogue.services.pubsub.getSubscribers(txTopic).length > 0, 10_000)
  // a transaction of another chain: rejected, not forwarded, and the relayer's score drops
  const foreign = await privateKeyToAccount(DEV_KEYS[1]).signTransaction({ type: 'eip1559', chainId: 1, nonce: 0, to: DEAD, value: 1n, gas: 21_000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n })
  await rogue.services.pubsub.publish(txTopic, Uint8Array.from(Buffer.from(foreign.slice(2), 'hex')))
  await until('the rogue to score below zero', () => (victim.net!.network.peers().find((p) => p.id === rogue.peerId.toString())?.score ?? 0) < 0, 5_000)
  const head = victim.chain.head
  const common = victim.chain.common
  const crypto = victim.chain.crypto
  const forged = (key: Uint8Array, stateByte: number) => {
    const block = createBlock({
      header: {
        number: head.number + 1n, parentHash: head.hash(), timestamp: head.timestamp + 1n, gasLimit: head.gasLimit, baseFeePerGas: head.calcNextBaseFee(),
        coinbase: devnet.genesis.feeRecipient, stateRoot: new Uint8Array(32).fill(stateByte), withdrawalsRoot: head.withdrawalsRoot, blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: new Uint8Array(32),
      },
      withdrawals: [],
    }, { common })
    return encodeBlockMessage(readBlock(crypto, block.serialize(), sign(crypto, blockSigningHash(crypto, 31337n, block.hash()), key)))
  }
  const sequencerKey = Uint8Array.from(Buffer.from(devAccount(DEV_SEQUENCER_INDEX).privateKey.slice(2), 'hex'))
  const messages = [
    forged(new Uint8Array(32).fill(7), 1), // signed by the wrong key
    forged(sequencerKey, 2), // the sequencer's signature, but a state root re-execution refutes
    crypto.keccak256(Uint8Array.of(1)), // random bytes
    crypto.keccak256(Uint8Array.of(2)),
    forged(new Uint8Array(32).fill(8), 3),
    crypto.keccak256(Uint8Array.of(3)),
  ]
  for (const m of messages) {
    await rogue.services.pubsub.publish(topic, m).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 100))
  }
  const rogueId = rogue.peerId.toString()
  await until('the rogue to be banned', () => (victim.net!.network as unknown as { isBanned(p: string): boolean }).isBanned(rogueId), 10_000)
  await until('the rogue to be disconnected', () => !victim.net!.network.peers().some((p) => p.id === rogueId), 10_000)
  // a banned peer is refused: whatever its dial does, it does not get back in
  await rogue.dial(multiaddr(victim.net!.network.multiaddrs()[0])).catch(() => undefined)
  await new Promise((r) => setTimeout(r, 300))
  assert.ok(!victim.net!.network.peers().some((p) => p.id === rogueId))
  const metrics = await (await fetch(`${victim.rpc.url}/metrics`)).text()
  const rejected = Number(/opal_gossip_messages_total\{topic="blocks",result="reject"\} (\d+)/.exec(metrics)?.[1] ?? 0)
  // five strikes ban it: the transaction, the block re-execution refuted, and three rejected at the gate
  assert.ok(rejected >= 3, `rejected block messages: ${rejected}`)
  assert.match(metrics, /opal_gossip_messages_total\{topic="txs",result="reject"\} [1-9]/)
  assert.equal(victim.chain.head.number, head.number, 'no forged block was imported')
  // the honest chain goes on, and the victim follows it
  await rpc(seq, 'evm_mine')
  await until('the victim to follow the honest head', () => victim.chain.head.number === seq.chain.head.number)
  assert.deepEqual(victim.chain.head.hash(), seq.chain.head.hash())
}
