// ABI values as viem gives and takes them: bytes arrive and leave as 0x-prefixed hex strings.
export const bytes = (h: `0x${string}`): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
export const hex = (b: Uint8Array): `0x${string}` => `0x${hexKey(b)}`
/** Bytes as plain hex (no 0x), read through a view: for map keys. */
export const hexKey = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
