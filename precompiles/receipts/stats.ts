// A contribution's earnings against the receipts it was a candidate for (receipts scored against
// a version whose prefix includes it). "Idle" — earning nothing while its Datanet's peers earn — is
// receiptsSinceEarned ≥ a threshold with peerEarningsSince > 0.
import * as D from '../datanets/records.ts'
import type { Store } from '../framework/storage.ts'
import * as R from './records.ts'

export interface ContributionStats {
  earned: bigint
  candidateReceipts: bigint
  receiptsSinceEarned: bigint
  peerEarningsSince: bigint
}

export async function contributionStats(receipts: Store, datanets: Store, id: bigint): Promise<ContributionStats> {
  if (!(await D.contributionExists(datanets, id))) return { earned: 0n, candidateReceipts: 0n, receiptsSinceEarned: 0n, peerEarningsSince: 0n }
  const { datanetId, status } = await D.contributionState(datanets, id)
  const counters = await R.contributionCounters(receipts, id)
  const dc = await R.datanetCounters(receipts, datanetId)
  let candidate = 0n
  if (status === D.Status.Accepted) {
    const index = await D.acceptIndexOf(datanets, id)
    if (index !== undefined) candidate = R.candidateReceipts(await R.versionReceiptTable(receipts, await D.versionList(datanets, datanetId), datanetId), index)
  }
  return {
    earned: counters.earned,
    candidateReceipts: candidate,
    receiptsSinceEarned: candidate - counters.candidateAtLastEarn,
    peerEarningsSince: dc.earningReceipts - counters.datanetEarningAtLastEarn,
  }
}
