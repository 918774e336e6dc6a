// Why the pool refused a transaction. Messages follow geth's wording: wallets and viem recognise
// them by text ("nonce too low", "insufficient funds", "replacement transaction underpriced" …).
export const TxRejection = {
  Malformed: 'MALFORMED',
  Oversized: 'OVERSIZED',
  InvalidSender: 'INVALID_SENDER',
  WrongChainId: 'WRONG_CHAIN_ID',
  UnsupportedType: 'UNSUPPORTED_TYPE',
  NonceTooLow: 'NONCE_TOO_LOW',
  NonceTooHigh: 'NONCE_TOO_HIGH',
  InsufficientFunds: 'INSUFFICIENT_FUNDS',
  IntrinsicGasTooLow: 'INTRINSIC_GAS_TOO_LOW',
  GasLimitExceeded: 'GAS_LIMIT_EXCEEDED',
  TipAboveFeeCap: 'TIP_ABOVE_FEE_CAP',
  Underpriced: 'UNDERPRICED',
  ReplacementUnderpriced: 'REPLACEMENT_UNDERPRICED',
  AlreadyKnown: 'ALREADY_KNOWN',
  PoolFull: 'POOL_FULL',
  SenderFull: 'SENDER_FULL',
  InvalidAuthorization: 'INVALID_AUTHORIZATION',
} as const
export type TxRejection = (typeof TxRejection)[keyof typeof TxRejection]

/** A transaction the pool will not take; the message is returned to the caller as-is. */
export class TxPoolError extends Error {
  readonly reason: TxRejection

  constructor(reason: TxRejection, message: string) {
    super(message)
    this.name = 'TxPoolError'
    this.reason = reason
  }
}
