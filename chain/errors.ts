// Errors of the chain's own making, with a code callers can switch on.
export type ChainErrorCode =
  | 'GENESIS_MISMATCH'
  | 'CORRUPT'
  | 'CLOSED'
  | 'NOT_NEXT'
  | 'STATE_UNAVAILABLE'
  | 'BLOCK_NOT_FOUND'
  | 'INVALID_BLOCK'

export class ChainError extends Error {
  readonly code: ChainErrorCode

  constructor(code: ChainErrorCode, message: string) {
    super(message)
    this.name = 'ChainError'
    this.code = code
  }
}
