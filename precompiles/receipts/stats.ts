// A contribution's earnings against the receipts it was a candidate for (receipts scored against
// a version whose prefix includes it). "Idle" — earning nothing while its Datanet's peers earn — is
// receiptsSinceEarned ≥ a threshold with peerEarningsSince > 0. The Datanet and version counters
// are in the state; the contribution's own counters are kept by the node (settlement hands them
// over as block artifacts), and are passed in.
import * as D from '../datanets/records.ts'
import type { Store } from '../framework/storage.ts'
import * as R from './records.ts'

/** A contribution's own counters, as the node keeps them. */
export interface ContributionCounters {
  /** wei earned, in all */
  earned: bigint
  /** receipts it was a candidate for, counted when it last earned */
  candidateAtLastEarn: bigint
  /** its Datanet's earning receipts, counted when it last earned */
  datanetEarningAtLastEarn: bigint
}

export interface ContributionStats {
  earned: bigint
  candidateReceipts: bigint
  receiptsSinceEarned: bigint
  peerEarningsSince: bigint
}

export async function contributionStats(receipts: Store, datanets: Store, id: bigint, counters: ContributionCounters): Promise<ContributionStats> {
  if (!(await D.contributionExists(datanets, id))) return { earned: 0n, candidateReceipts: 0n, receiptsSinceEarned: 0n, peerEarningsSince: 0n }
  const { datanetId, status } = await D.contributionState(datanets, id)
  const dc = await R.datanetCounters(receipts, datanetId)
  let candidate = 0n
  if (status === D.Status.Accepted) {
    const index = await D.acceptIndexOf(datanets, id)
    if (index !== undefined) candidate = R.candidateReceipts(await R.versionReceiptTable(receipts, await D.versionList(datanets, datanetId), datanetId), Number(index))
  }
  return {
    earned: counters.earned,
    candidateReceipts: candidate,
    receiptsSinceEarned: candidate - counters.candidateAtLastEarn,
    peerEarningsSince: dc.earningReceipts - counters.datanetEarningAtLastEarn,
  }
}
