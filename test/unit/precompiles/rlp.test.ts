import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RLP } from '@ethereumjs/rlp'
import { RlpError, decodeRlp, decodeRlpList } from '../../../precompiles/framework/rlp.ts'
import type { RlpItem } from '../../../precompiles/framework/rlp.ts'

/** A deterministic byte source (xorshift), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) % 256
  }
}

function item(next: () => number, depth: number): RlpItem {
  if (depth > 0 && next() < 100) return Array.from({ length: next() % 6 }, () => item(next, depth - 1))
  const sizes = [0, 1, 1, 2, 20, 55, 56, 60, 300]
  return Uint8Array.from({ length: sizes[next() % sizes.length] }, next)
}

const plain = (x: RlpItem | Uint8Array): unknown => (x instanceof Uint8Array ? [...x] : (x as RlpItem[]).map(plain))

function outcome(decode: () => unknown): unknown {
  try {
    return { ok: plain(decode() as RlpItem) }
  } catch {
    return 'refused'
  }
}

test('decodes exactly what @ethereumjs/rlp decodes, and refuses exactly what it refuses', () => {
  const next = random(2026)
  let refused = 0
  for (let i = 0; i < 3000; i++) {
    const encoded = RLP.encode(item(next, 3) as never)
    assert.deepEqual(outcome(() => decodeRlp(encoded)), outcome(() => RLP.decode(encoded)), `valid case ${i}`)
    // a byte changed, or the end cut or extended: both decoders agree on every mutation
    const bad = Uint8Array.from(encoded)
    const kind = next() % 3
    if (kind === 0 && bad.length > 0) bad[next() % bad.length] = next()
    const mutated = kind === 1 ? bad.subarray(0, Math.max(0, bad.length - 1 - (next() % 3))) : kind === 2 ? Uint8Array.from([...bad, next()]) : bad
    const theirs = outcome(() => RLP.decode(mutated))
    assert.deepEqual(outcome(() => decodeRlp(mutated)), theirs, `mutated case ${i}: ${Buffer.from(mutated).toString('hex').slice(0, 80)}`)
    if (theirs === 'refused') refused++
  }
  assert.ok(refused > 500, `the mutations exercised refusals (${refused})`)
})

test('non-canonical encodings are refused', () => {
  for (const hex of ['8105', 'b800', 'b80100', `b90038${'00'.repeat(56)}`, 'f800', 'f80100', '82ff', 'c2820102', '0101']) {
    assert.throws(() => decodeRlp(Uint8Array.from(Buffer.from(hex, 'hex'))), RlpError, hex)
  }
  assert.deepEqual(plain(decodeRlp(Uint8Array.from([0xc1, 0x80]))), [[]], 'a list holding the empty string')
})

test('a list decoded item by item: the same items, each with the exact bytes that encode it', () => {
  const next = random(7)
  for (let i = 0; i < 500; i++) {
    const items = Array.from({ length: next() % 8 }, () => item(next, 2))
    const encoded = RLP.encode(items as never)
    const list = decodeRlpList(encoded)
    assert.deepEqual(list.map((e) => plain(e.item)), plain(decodeRlp(encoded)), `case ${i}`)
    for (const [j, e] of list.entries()) assert.deepEqual([...e.encoded], [...RLP.encode(items[j] as never)], `case ${i} item ${j}`)
  }
  for (const hex of ['', '80', '8105', 'c2820102', 'c180ff']) {
    assert.throws(() => decodeRlpList(Uint8Array.from(Buffer.from(hex, 'hex'))), RlpError, hex)
  }
})
