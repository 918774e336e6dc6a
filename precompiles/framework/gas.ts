// The precompiles' gas schedule, priced like the EVM operations they stand for (every entry can
// be set in the genesis, "precompiles.gas"), and a meter that charges before the work is done.
export const GAS = {
  /** every call: like calling a cold account */
  base: 2_600n,
  /** per 32-byte word of input decoded */
  inputWord: 3n,
  /** per storage slot read (SLOAD, cold) */
  read: 2_100n,
  /** per storage slot written that was zero (SSTORE set) */
  writeNew: 20_000n,
  /** per storage slot written that was not zero (SSTORE reset) */
  writeExisting: 5_000n,
  /** per log, per topic, per data byte (LOG) */
  log: 375n,
  logTopic: 375n,
  logByte: 8n,
  /** keccak256: base and per word (SHA3) */
  hash: 30n,
  hashWord: 6n,
  /** moving OPEN out of the precompile (CALL with value) */
  transfer: 9_000n,
  /** per 32-byte word returned */
  outputWord: 3n,
  /** settlement: a receipt's signature, checks, escrow charge and replay record; per span of evidence */
  settleReceipt: 6_000n,
  settleSpan: 200n,
  /** settlement: per account whose escrow or claimable balance changes */
  settleAccount: 5_000n,
  /** settlement: per contribution whose earnings change (a row of the node's statistics index, not a storage slot) */
  settleContribution: 300n,
  /** settlement: per Datanet or version counter that changes */
  settleCounter: 5_000n,
  /** scoring one receipt: exact scan, per this many multiply-adds of candidates × sketch bytes */
  scoreExactMacs: 256n,
  /** scoring one receipt in the indexed mode (the IVF index): a base, and per this many multiply-adds */
  scoreIndexedBase: 1_500n,
  scoreIndexedMacs: 25_600n,
  /** per 32-byte word of a scoring graph registered (validating and keeping it) */
  graphWord: 400n,
} as const

/** The indexed-mode prices when the genesis picks the LSH index and prices neither itself: its probes cost more. */
export const LSH_INDEXED_GAS = { scoreIndexedBase: 2_000n, scoreIndexedMacs: 360n } as const

export type GasSchedule = { readonly [K in keyof typeof GAS]: bigint }

export class OutOfGas extends Error {
  constructor() {
    super('out of gas')
  }
}

export class GasMeter {
  readonly limit: bigint
  /** the chain's schedule */
  readonly gas: GasSchedule
  #used = 0n

  constructor(limit: bigint, gas: GasSchedule = GAS) {
    this.limit = limit
    this.gas = gas
  }

  get used(): bigint {
    return this.#used
  }

  /** Charges `amount` or throws OutOfGas (the caller then consumes the whole limit). */
  charge(amount: bigint): void {
    this.#used += amount
    if (this.#used > this.limit) throw new OutOfGas()
  }

  words(bytes: number): bigint {
    return BigInt(Math.ceil(bytes / 32))
  }
}
