import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, fromEnv, fromFile, mergeConfig, validateConfig } from '../../../node/config.ts'

test('flags beat OPAL_* variables, which beat the config file, which beats the defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opal-config-'))
  const file = join(dir, 'opal.json')
  writeFileSync(file, JSON.stringify({ port: 7000, host: '0.0.0.0', archive: true, blockTime: 5, dataDir: '/from/file' }))
  const env = fromEnv({ OPAL_PORT: '7100', OPAL_BLOCK_TIME: '3', OPAL_ARCHIVE: 'false' })
  const flags = { port: 7200, dataDir: undefined }
  const c = validateConfig(mergeConfig(flags, env, fromFile(file)))
  assert.equal(c.port, 7200)
  assert.equal(c.blockTime, 3)
  assert.equal(c.archive, false)
  assert.equal(c.host, '0.0.0.0')
  assert.equal(c.dataDir, '/from/file')
  assert.equal(c.logLevel, 'info')
})

test('bad settings are refused with the name of the setting', () => {
  assert.throws(() => fromEnv({ OPAL_PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /OPAL_PORT/.test(e.message))
  assert.throws(() => fromEnv({ OPAL_ARCHIVE: 'maybe' }), /OPAL_ARCHIVE: expected true or false/)
  const dir = mkdtempSync(join(tmpdir(), 'opal-config-'))
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ prot: 1 }))
  assert.throws(() => fromFile(join(dir, 'bad.json')), /unknown setting "prot"/)
  assert.throws(() => fromFile(join(dir, 'missing.json')), ConfigError)
  assert.throws(() => validateConfig({}), /data directory is required/)
  assert.throws(() => validateConfig({ dataDir: '/x', port: 70000 }), /port must be/)
  assert.throws(() => validateConfig({ dataDir: '/x', sequencerKey: '0x12' }), /sequencer key/)
})
