import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import {
  DEV_MNEMONIC, GenesisError, devAccounts, devGenesis, genesisToJson, loadGenesisFile, parseGenesis,
} from '../../../genesis/index.ts'

const SEQ = '0x1111111111111111111111111111111111111111'

test('dev genesis funds the ten standard test accounts (Anvil/Hardhat mnemonic)', () => {
  const accounts = devAccounts()
  assert.equal(accounts.length, 10)
  // well-known addresses and key of "test test … junk", m/44'/60'/0'/0/i
  assert.equal(accounts[0].address, '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266')
  assert.equal(accounts[0].privateKey, '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
  assert.equal(accounts[9].address, '0xa0ee7a142d267c1f36714e4a8f75612f20a79720')
  assert.equal(DEV_MNEMONIC.split(' ').length, 12)
  const g = devGenesis()
  for (const a of accounts) assert.equal(g.alloc.get(a.address)?.balance, 10_000n * 10n ** 18n)
  assert.equal(g.token.symbol, 'OPEN')
  assert.equal(g.token.decimals, 18)
})

test('opal genesis JSON round-trips through write and parse', () => {
  const g = devGenesis({ chainId: 777n, blockTime: 2, timestamp: 1234n })
  const again = parseGenesis(JSON.parse(JSON.stringify(genesisToJson(g))))
  assert.equal(again.chainId, 777n)
  assert.equal(again.blockTime, 2)
  assert.equal(again.timestamp, 1234n)
  assert.equal(again.sequencer, g.sequencer)
  assert.deepEqual([...again.alloc.keys()], [...g.alloc.keys()])
  assert.equal(again.alloc.get(devAccounts(1)[0].address)?.balance, g.alloc.get(devAccounts(1)[0].address)?.balance)
})

test('validation names the offending field', () => {
  const base = { chainId: 5, sequencer: SEQ }
  const cases: Array<[unknown, string]> = [
    [{ ...base, chainId: -1 }, 'chainId'],
    [{ ...base, chainId: 0 }, 'chainId'],
    [{ ...base, gasLimit: 'lots' }, 'gasLimit'],
    [{ ...base, sequencer: '0x12' }, 'sequencer'],
    [{ ...base, extraData: '0xabc' }, 'extraData'],
    [{ ...base, alloc: { '0x2222222222222222222222222222222222222222': { balance: 'ten' } } }, 'alloc["0x2222222222222222222222222222222222222222"].balance'],
    [{ ...base, alloc: { nothex: {} } }, 'alloc["nothex"]'],
    [{ ...base, token: { name: 'X', symbol: 'X', decimals: 99 } }, 'token.decimals'],
    [{ ...base, blockTme: 1 }, 'blockTme'],
    [{ ...base, validators: { addresses: [SEQ, SEQ] } }, 'validators.addresses'],
  ]
  for (const [json, field] of cases) {
    assert.throws(() => parseGenesis(json), (err: unknown) => err instanceof GenesisError && err.field === field && err.message.includes(field), `expected an error on ${field}`)
  }
})

test('accepts numbers as decimal strings, 0x hex or JSON numbers; storage words are padded', () => {
  const g = parseGenesis({
    chainId: '0x10',
    sequencer: SEQ,
    gasLimit: '30000000',
    baseFeePerGas: 7,
    alloc: { '0x2222222222222222222222222222222222222222': { balance: '0xff', nonce: 3, code: '0x6000', storage: { '0x1': '0x2a' } } },
  })
  assert.equal(g.chainId, 16n)
  assert.equal(g.gasLimit, 30_000_000n)
  assert.equal(g.baseFeePerGas, 7n)
  const acc = g.alloc.get('0x2222222222222222222222222222222222222222')
  assert.equal(acc?.balance, 255n)
  assert.equal(acc?.nonce, 3n)
  assert.deepEqual([...(acc?.code ?? [])], [0x60, 0x00])
  assert.equal(acc?.storage.get(`0x${'0'.repeat(63)}1`), `0x${'0'.repeat(62)}2a`)
})

test('reads a geth-style genesis.json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opal-genesis-'))
  const path = join(dir, 'genesis.json')
  writeFileSync(path, JSON.stringify({
    config: { chainId: 1337, homesteadBlock: 0, londonBlock: 0, opal: { sequencer: SEQ, blockTime: 2 } },
    alloc: { '3333333333333333333333333333333333333333': { balance: '0x56bc75e2d63100000' } },
    gasLimit: '0x1c9c380',
    baseFeePerGas: '0x3b9aca00',
    timestamp: '0x0',
    extraData: '0x',
    difficulty: '0x1',
  }))
  const g = await loadGenesisFile(path)
  assert.equal(g.chainId, 1337n)
  assert.equal(g.blockTime, 2)
  assert.equal(g.gasLimit, 30_000_000n)
  assert.equal(g.sequencer, SEQ)
  assert.equal(g.alloc.get('0x3333333333333333333333333333333333333333')?.balance, 100n * 10n ** 18n)
})

test('a geth genesis without a sequencer is refused with the field to add', () => {
  assert.throws(() => parseGenesis({ config: { chainId: 1 }, alloc: {} }), (e: unknown) => e instanceof GenesisError && e.field === 'config.opal.sequencer')
})

test('unreadable or non-JSON files give a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opal-genesis-'))
  await assert.rejects(loadGenesisFile(join(dir, 'missing.json')), /cannot read/)
  writeFileSync(join(dir, 'bad.json'), '{not json')
  await assert.rejects(loadGenesisFile(join(dir, 'bad.json')), /not valid JSON/)
})
