// The libp2p host: TCP, noise, yamux, identify, ping, gossipsub; a persistent peer key in the
// data directory; bootstrap peers and optional mDNS; a gater that refuses banned peers.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { createHash } from 'node:crypto'
import type { PeerBans } from './bans.ts'
import type { P2POptions } from './options.ts'

export type OpalLibp2p = Libp2p<{ pubsub: GossipSub; identify: unknown; ping: unknown }>

const KEY_FILE = 'p2p-key'

/** The node's libp2p identity, created on first start and kept in the data directory. */
export async function loadPeerKey(dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, KEY_FILE)
  if (existsSync(path)) return privateKeyFromProtobuf(await readFile(path))
  const key = await generateKeyPair('Ed25519')
  await mkdir(dataDir, { recursive: true })
  await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600 })
  return key
}

export async function createHost(opts: P2POptions, bans: PeerBans): Promise<OpalLibp2p> {
  type Discovery = NonNullable<NonNullable<Parameters<typeof createLibp2p>[0]>['peerDiscovery']>[number]
  const peerDiscovery: Discovery[] = []
  if (opts.bootnodes.length > 0) peerDiscovery.push(bootstrap({ list: opts.bootnodes, timeout: 100 }) as unknown as Discovery)
  if (opts.mdns) peerDiscovery.push(mdns() as unknown as Discovery)
  return createLibp2p({
    start: false,
    privateKey: await loadPeerKey(opts.dataDir),
    addresses: { listen: [`/ip4/${opts.host}/tcp/${opts.port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionManager: { maxConnections: opts.maxConnections },
    connectionGater: {
      // loopback and private addresses are where devnets and test networks live
      denyDialMultiaddr: () => false,
      denyDialPeer: (peer) => bans.isBanned(peer.toString()),
      denyInboundEncryptedConnection: (peer) => bans.isBanned(peer.toString()),
      denyOutboundEncryptedConnection: (peer) => bans.isBanned(peer.toString()),
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        // messages are identified by their content: the same block relayed twice is one message
        globalSignaturePolicy: 'StrictNoSign',
        // node's native sha256: ~7× faster than a JS one on a 100 KB block, on every hop
        msgIdFn: (msg) => new Uint8Array(createHash('sha256').update(msg.data).digest()),
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        maxInboundDataLength: opts.maxBlockBytes + 64 * 1024,
        scoreParams: {
          // every invalid message lowers the sender's score (below gossipsub's gossip threshold, -10,
          // at the first; short of its graylist, -80, until the ban); a banned peer is graylisted at once
          appSpecificScore: (peer: string) => (bans.isBanned(peer) ? -1000 : -10 * bans.strikes(peer)),
          appSpecificWeight: 1,
        },
      }),
    },
  }) as Promise<OpalLibp2p>
}
