export interface RecoverRequest {
  id: number
  count: number
  /** count × 32 bytes */
  hashes: Uint8Array
  /** count × 65 bytes, r ‖ s ‖ v with v ∈ {0, 1, 27, 28} */
  signatures: Uint8Array
}

export interface RecoverResponse {
  id: number
  /** count × 20 bytes; zeros where ok is 0 */
  addresses: Uint8Array
  /** count × 64 bytes, uncompressed public keys without the 0x04 prefix */
  publicKeys: Uint8Array
  ok: Uint8Array
}
