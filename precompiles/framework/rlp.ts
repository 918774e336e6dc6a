// RLP decoding without copies: every string is a view of the input.
//
// @ethereumjs/rlp copies each string and each list body it decodes (Uint8Array.slice). A receipt
// batch of 2,000 receipts is ~30,000 strings: measured in the receipts benchmark, its decode took
// ~0.85 s of every 14 s of node CPU at 1,500 receipts/s, most of it allocation and the garbage
// collection after it. The rules are the same (canonical only): a single byte below 0x80 is its own
// encoding, lengths have no leading zeros, the long forms are only for more than 55 bytes, and
// nothing may follow the item.
export type RlpItem = Uint8Array | RlpItem[]

export class RlpError extends Error {}

export function decodeRlp(input: Uint8Array): RlpItem {
  // as @ethereumjs/rlp: nothing decodes to the empty string
  if (input.length === 0) return input
  const [item, end] = decodeAt(input, 0, input.length)
  if (end !== input.length) throw new RlpError('invalid RLP: remainder must be zero')
  return item
}

/**
 * The items of a list, each with the bytes that encode it (a view of the input): for lists whose
 * items are kept as they came. The same rules as decodeRlp; the input must be one list.
 */
export function decodeRlpList(input: Uint8Array): Array<{ item: RlpItem; encoded: Uint8Array }> {
  if (input.length === 0 || input[0] < 0xc0) throw new RlpError('invalid RLP: expected a list')
  const [start, end] = listBody(input, 0, input.length)
  if (end !== input.length) throw new RlpError('invalid RLP: remainder must be zero')
  const out: Array<{ item: RlpItem; encoded: Uint8Array }> = []
  for (let p = start; p < end;) {
    const [item, next] = decodeAt(input, p, end)
    out.push({ item, encoded: input.subarray(p, next) })
    p = next
  }
  return out
}

/** The item starting at `at`, which must end by `limit`, and where it ends. */
function decodeAt(input: Uint8Array, at: number, limit: number): [RlpItem, number] {
  if (at >= limit) throw new RlpError('invalid RLP: no item where one was expected')
  const first = input[at]
  if (first <= 0x7f) return [input.subarray(at, at + 1), at + 1]
  if (first <= 0xb7) {
    const length = first - 0x80
    const end = bounded(at + 1 + length, limit)
    if (length === 1 && input[at + 1] < 0x80) throw new RlpError('invalid RLP encoding: invalid prefix, single byte < 0x80 are not prefixed')
    return [input.subarray(at + 1, end), end]
  }
  if (first <= 0xbf) {
    const lLength = first - 0xb7
    const length = lengthAt(input, at + 1, lLength, limit)
    if (length <= 55) throw new RlpError('invalid RLP: expected string length to be greater than 55')
    const start = at + 1 + lLength
    const end = bounded(start + length, limit)
    return [input.subarray(start, end), end]
  }
  const [start, end] = listBody(input, at, limit)
  const items: RlpItem[] = []
  let p = start
  while (p < end) {
    const [item, next] = decodeAt(input, p, end)
    items.push(item)
    p = next
  }
  return [items, end]
}

/** Where the body of the list whose header is at `at` starts and ends. */
function listBody(input: Uint8Array, at: number, limit: number): [number, number] {
  const first = input[at]
  if (first <= 0xf7) {
    const start = at + 1
    return [start, bounded(start + first - 0xc0, limit)]
  }
  const lLength = first - 0xf7
  const length = lengthAt(input, at + 1, lLength, limit)
  if (length < 56) throw new RlpError('invalid RLP: encoded list too short')
  const start = at + 1 + lLength
  return [start, bounded(start + length, limit)]
}

function lengthAt(input: Uint8Array, at: number, lLength: number, limit: number): number {
  bounded(at + lLength, limit)
  if (input[at] === 0) throw new RlpError('invalid RLP decoding: no leading zeros')
  let n = 0
  for (let i = 0; i < lLength; i++) n = n * 256 + input[at + i]
  return n
}

function bounded(end: number, limit: number): number {
  if (end > limit) throw new RlpError('invalid RLP: item runs past the end of its data')
  return end
}
