// The precompiles' gas schedule, priced like the EVM operations they stand for, and a meter
// that charges before the work is done.
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
} as const

export class OutOfGas extends Error {
  constructor() {
    super('out of gas')
  }
}

export class GasMeter {
  readonly limit: bigint
  #used = 0n

  constructor(limit: bigint) {
    this.limit = limit
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
