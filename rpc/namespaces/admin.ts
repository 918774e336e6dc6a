// admin_ and opal_ network methods: peers, this node's identity, validator attestations.
import type { AttestationBook } from '../../chain/index.ts'
import type { P2PNetwork } from '../../p2p/index.ts'
import { data, quantity } from '../hex.ts'
import type { MethodTable } from '../method.ts'
import { parseParams, quantity as quantityParam, required } from '../params.ts'
import { RpcCode, RpcError } from '../errors.ts'

export interface NetworkView {
  network: P2PNetwork
  attestations: AttestationBook
}

export function networkMethods(net: NetworkView | undefined): MethodTable {
  const need = (): NetworkView => {
    if (net === undefined) throw new RpcError(RpcCode.MethodNotSupported, 'this node runs without the p2p network')
    return net
  }
  return {
    admin_peers: () =>
      need().network.peers().map((p) => ({
        id: p.id,
        network: { remoteAddress: p.addresses[0] ?? '', inbound: p.direction === 'inbound' },
        score: p.score,
        head: p.head === undefined ? null : quantity(p.head),
      })),
    admin_nodeInfo: () => {
      const info = need().network.nodeInfo()
      return { id: info.id, enode: info.addresses[0] ?? '', listenAddrs: info.addresses, protocols: info.protocols }
    },
    opal_getAttestations: async (params) => {
      const [n] = parseParams(params, [required(quantityParam)])
      const list = await need().attestations.of(n)
      return list.map((a) => ({ validator: data(a.validator), blockNumber: quantity(a.blockNumber), blockHash: data(a.blockHash), stateRoot: data(a.stateRoot), signature: data(a.signature) }))
    },
  }
}
