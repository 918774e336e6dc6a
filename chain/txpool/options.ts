export interface TxPoolOptions {
  /** transactions held in total, pending and queued */
  maxTotal: number
  /** transactions held per sender */
  maxPerSender: number
  /** how far past the next executable nonce a transaction may be queued */
  maxNonceGap: bigint
  /** a replacement must raise both fee fields by at least this percentage */
  priceBumpPercent: bigint
}

export const DEFAULT_TXPOOL_OPTIONS: TxPoolOptions = {
  maxTotal: 100_000,
  maxPerSender: 5_000,
  maxNonceGap: 5_000n,
  priceBumpPercent: 10n,
}
