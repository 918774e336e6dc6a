// ABI values as viem gives and takes them: bytes arrive and leave as 0x-prefixed hex strings.
export const bytes = (h: `0x${string}`): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
export const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`
