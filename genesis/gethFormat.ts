// Reads a geth-style genesis.json (config.chainId, alloc, gasLimit, baseFeePerGas, timestamp,
// extraData) into an opal genesis. geth has no notion of a sequencer, so it is taken from
// config.opal.sequencer, else from a non-zero coinbase.
import { GenesisError } from './errors.ts'
import { address, hexBytes, isObject, object, optionalQuantity, quantity } from './fields.ts'
import type { JsonObject } from './fields.ts'
import { DEFAULTS, parseAlloc } from './opalFormat.ts'
import type { Genesis, Hex } from './types.ts'

const ZERO_ADDRESS = `0x${'0'.repeat(40)}`

export function isGethGenesis(json: unknown): json is JsonObject {
  return isObject(json) && isObject(json.config)
}

export function parseGethGenesis(json: JsonObject): Genesis {
  const config = object('config', json.config)
  const chainId = quantity('config.chainId', config.chainId)
  if (chainId === 0n || chainId >= 2n ** 53n) throw new GenesisError('config.chainId', `must be between 1 and 2^53-1, got ${chainId}`)
  const opal = config.opal === undefined ? {} : object('config.opal', config.opal)
  const sequencer = pickSequencer(opal, json)
  const extraData = json.extraData === undefined ? new Uint8Array() : hexBytes('extraData', json.extraData)
  if (extraData.length > 32) throw new GenesisError('extraData', `at most 32 bytes, got ${extraData.length}`)
  return {
    chainId,
    blockTime: opal.blockTime === undefined ? DEFAULTS.blockTime : Number(quantity('config.opal.blockTime', opal.blockTime)),
    emptyBlocks: opal.emptyBlocks === true,
    gasLimit: optionalQuantity('gasLimit', json.gasLimit, DEFAULTS.gasLimit),
    baseFeePerGas: optionalQuantity('baseFeePerGas', json.baseFeePerGas, DEFAULTS.baseFeePerGas),
    timestamp: optionalQuantity('timestamp', json.timestamp, 0n),
    extraData,
    sequencer,
    feeRecipient: sequencer,
    token: { ...DEFAULTS.token },
    alloc: parseAlloc('alloc', json.alloc ?? {}),
    validators: [],
    validatorQuorum: 0,
    precompiles: opal.precompiles ?? {},
  }
}

function pickSequencer(opal: JsonObject, json: JsonObject): Hex {
  if (opal.sequencer !== undefined) return address('config.opal.sequencer', opal.sequencer)
  if (json.coinbase !== undefined) {
    const coinbase = address('coinbase', json.coinbase)
    if (coinbase !== ZERO_ADDRESS) return coinbase
  }
  throw new GenesisError('config.opal.sequencer', 'a geth-style genesis needs the sequencer address here (or a non-zero coinbase)')
}
