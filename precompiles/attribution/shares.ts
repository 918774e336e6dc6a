// Splitting an amount among the contributions that influenced an answer, in exact integers.
// Weight of a contribution = its score, plus (when the receipt has span evidence) its matched
// tokens × spanWeight. Each share is floor(amount × weight / total); what floors leave over (less
// than one wei per share) goes to the named dust recipient. The shares and the dust add up to the
// amount exactly.
/** Each weight's floor share of `amount` (zero where the floor is), and what the floors leave. */
export function splitByWeight(amount: bigint, weights: bigint[]): { amounts: bigint[]; dust: bigint } {
  let total = 0n
  for (const w of weights) total += w
  if (total === 0n || amount === 0n) return { amounts: weights.map(() => 0n), dust: amount }
  let paid = 0n
  const amounts = weights.map((w) => {
    const a = (amount * w) / total
    paid += a
    return a
  })
  return { amounts, dust: amount - paid }
}

/** Fee split in basis points among the parties of a receipt; the treasury takes the remainder. */
export interface FeeSplit {
  contributorsBps: number
  modelOwnerBps: number
  adapterOwnerBps: number
  serverBps: number
}

export function splitFee(fee: bigint, s: FeeSplit): { contributors: bigint; modelOwner: bigint; adapterOwner: bigint; server: bigint; treasury: bigint } {
  const part = (bps: number) => (fee * BigInt(bps)) / 10_000n
  const contributors = part(s.contributorsBps)
  const modelOwner = part(s.modelOwnerBps)
  const adapterOwner = part(s.adapterOwnerBps)
  const server = part(s.serverBps)
  return { contributors, modelOwner, adapterOwner, server, treasury: fee - contributors - modelOwner - adapterOwner - server }
}
