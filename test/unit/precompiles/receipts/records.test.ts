import { test } from 'node:test'
import assert from 'node:assert/strict'
import { keccak, mapSlot, word } from '../../../../precompiles/framework/storage.ts'
import * as R from '../../../../precompiles/receipts/records.ts'

test('a replay record lives where the documented layout puts it: map(R+4, keccak(server ‖ requestId))', () => {
  for (let i = 0; i < 50; i++) {
    const server = Uint8Array.from({ length: 20 }, (_, j) => (i * 31 + j * 7) % 256)
    const requestId = Uint8Array.from({ length: 32 }, (_, j) => (i * 17 + j * 13 + 5) % 256)
    const key = new Uint8Array([...server, ...requestId])
    assert.deepEqual(R.replaySlot(server, requestId), word(mapSlot(R.NS + 4n, keccak(key))), `case ${i}`)
  }
})
