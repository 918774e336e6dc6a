// Ethereum JSON-RPC encodings: quantities as 0x hex without leading zeros, data as 0x hex bytes.
export type HexString = `0x${string}`

export function quantity(n: bigint | number): HexString {
  return `0x${n.toString(16)}`
}

export function data(b: Uint8Array): HexString {
  return `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`
}

export function bytesFromHex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
}
