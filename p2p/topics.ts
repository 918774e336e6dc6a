// Gossip topics and request/response protocols, versioned and namespaced by chain id.
export const TOPICS = ['blocks', 'txs', 'receipts', 'attestations'] as const
export type Topic = (typeof TOPICS)[number]

export function topicName(chainId: bigint, topic: Topic): string {
  return `/opal/${chainId}/${topic}/1`
}

export function protocols(chainId: bigint) {
  return {
    status: `/opal/${chainId}/status/1`,
    blocksByRange: `/opal/${chainId}/blocks_by_range/1`,
    blockByHash: `/opal/${chainId}/block_by_hash/1`,
  }
}
