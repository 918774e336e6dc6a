import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeFunctionData } from 'viem'
import { CallExecutor } from '../../../chain/call.ts'
import { Chain, loadCrypto } from '../../../chain/index.ts'
import { devGenesis } from '../../../genesis/index.ts'
import { devExamplePrecompiles } from '../../../genesis/devExample.ts'
import { createPrecompileParts } from '../../../node/precompiles.ts'
import { ADAPTER_ABI, GAS, LSH_INDEXED_GAS, PrecompileSettingsError, parsePrecompileSettings } from '../../../precompiles/index.ts'
import { tempDir } from '../chain/fixtures.ts'

const ADAPTERS = Uint8Array.from(Buffer.from('4f50414c00000000000000000000000000000003', 'hex'))

async function gasOfLookup(gas?: Record<string, unknown>): Promise<bigint> {
  const genesis = devGenesis({ timestamp: 1_700_000_000n, precompiles: { ...devExamplePrecompiles(), ...(gas === undefined ? {} : { gas }) } })
  const crypto = await loadCrypto()
  const parts = await createPrecompileParts(genesis, crypto, { kernel: 'js', threads: 1 })
  const chain = await Chain.open({ dataDir: tempDir(), genesis, crypto, extensions: parts.precompiles })
  try {
    const out = await new CallExecutor(chain).call({ to: ADAPTERS, data: Uint8Array.from(Buffer.from(encodeFunctionData({ abi: ADAPTER_ABI, functionName: 'getAdapter', args: [1n] }).slice(2), 'hex')) }, chain.head)
    assert.ok(out.success)
    return out.gasUsed
  } finally {
    await chain.close()
    await parts.close()
  }
}

test('the genesis sets the precompiles gas schedule; a lookup costs what it says', async () => {
  const standard = await gasOfLookup()
  const dearer = await gasOfLookup({ base: (GAS.base + 10_000n).toString(), read: Number(GAS.read + 100n) })
  // one call base more, and 100 more per slot read: an adapter is 9 slots, and the adapter count
  // (is the id known?) is read by the lookup and by the record reader, 11 reads in all
  assert.equal(dearer - standard, 10_000n + 100n * 11n)
})

test('a gas schedule with an unknown entry or a zero divisor is refused, naming it', () => {
  assert.throws(() => parsePrecompileSettings({ gas: { sload: 1 } }), (e: unknown) => e instanceof PrecompileSettingsError && /precompiles\.gas\.sload: unknown field/.test(e.message))
  assert.throws(() => parsePrecompileSettings({ gas: { scoreExactMacs: 0 } }), /precompiles\.gas\.scoreExactMacs: must be at least 1/)
  assert.equal(parsePrecompileSettings({ gas: { read: '0x10' } }).gas.read, 16n)
})

test('the indexed mode picks its index in the genesis; the LSH index pays the LSH prices unless the genesis sets them', () => {
  const standard = parsePrecompileSettings({})
  assert.equal(standard.attribution.index, 'ivf')
  assert.equal(standard.gas.scoreIndexedMacs, GAS.scoreIndexedMacs)
  const lsh = parsePrecompileSettings({ attribution: { index: 'lsh' } })
  assert.equal(lsh.attribution.index, 'lsh')
  assert.deepEqual([lsh.gas.scoreIndexedBase, lsh.gas.scoreIndexedMacs], [LSH_INDEXED_GAS.scoreIndexedBase, LSH_INDEXED_GAS.scoreIndexedMacs])
  assert.equal(parsePrecompileSettings({ attribution: { index: 'lsh' }, gas: { scoreIndexedMacs: 99 } }).gas.scoreIndexedMacs, 99n)
  const ivf = parsePrecompileSettings({ attribution: { ivf: { lists: 64, probeRows: 300 } } }).attribution.ivf
  assert.deepEqual([ivf.lists, ivf.probeRows, ivf.iterations], [64, 300, 6])
  assert.throws(() => parsePrecompileSettings({ attribution: { index: 'hnsw' } }), /precompiles\.attribution\.index: must be "ivf" or "lsh", not "hnsw"/)
  assert.throws(() => parsePrecompileSettings({ attribution: { ivf: { lists: 0 } } }), /precompiles\.attribution\.ivf\.lists: must be 1–65536/)
  assert.throws(() => parsePrecompileSettings({ attribution: { ivf: { radius: 2 } } }), /precompiles\.attribution\.ivf\.radius: unknown field/)
})
