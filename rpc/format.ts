// Chain objects in the JSON shapes of the Ethereum execution-apis specification.
import type { Block, BlockHeader } from '@ethereumjs/block'
import { Capability, TransactionType } from '@ethereumjs/tx'
import type { TypedTransaction } from '@ethereumjs/tx'
import { generateAddress } from '@ethereumjs/util'
import type { LogWithContext } from '../chain/logs.ts'
import type { StoredReceipt, StoredLog } from '../chain/index.ts'
import { data, quantity } from './hex.ts'
import type { HexString } from './hex.ts'

export type Json = Record<string, unknown>

export function formatHeader(h: BlockHeader): Json {
  const out: Json = {
    number: quantity(h.number),
    hash: data(h.hash()),
    parentHash: data(h.parentHash),
    nonce: data(h.nonce),
    sha3Uncles: data(h.uncleHash),
    logsBloom: data(h.logsBloom),
    transactionsRoot: data(h.transactionsTrie),
    stateRoot: data(h.stateRoot),
    receiptsRoot: data(h.receiptTrie),
    miner: data(h.coinbase.bytes),
    difficulty: quantity(h.difficulty),
    totalDifficulty: quantity(h.difficulty),
    extraData: data(h.extraData),
    gasLimit: quantity(h.gasLimit),
    gasUsed: quantity(h.gasUsed),
    timestamp: quantity(h.timestamp),
    mixHash: data(h.mixHash),
  }
  if (h.baseFeePerGas !== undefined) out.baseFeePerGas = quantity(h.baseFeePerGas)
  if (h.withdrawalsRoot !== undefined) out.withdrawalsRoot = data(h.withdrawalsRoot)
  if (h.blobGasUsed !== undefined) out.blobGasUsed = quantity(h.blobGasUsed)
  if (h.excessBlobGas !== undefined) out.excessBlobGas = quantity(h.excessBlobGas)
  if (h.parentBeaconBlockRoot !== undefined) out.parentBeaconBlockRoot = data(h.parentBeaconBlockRoot)
  return out
}

export function formatBlock(block: Block, fullTxs: boolean, senders: Uint8Array[]): Json {
  const out = formatHeader(block.header)
  out.size = quantity(block.serialize().length)
  out.uncles = []
  out.withdrawals = []
  out.transactions = fullTxs
    ? block.transactions.map((tx, i) => formatTx(tx, senders[i], { header: block.header, index: i }))
    : block.transactions.map((tx) => data(tx.hash()))
  return out
}

export interface TxPlace {
  header: BlockHeader
  index: number
}

export function formatTx(tx: TypedTransaction, sender: Uint8Array, place?: TxPlace): Json {
  const out: Json = {
    blockHash: place === undefined ? null : data(place.header.hash()),
    blockNumber: place === undefined ? null : quantity(place.header.number),
    transactionIndex: place === undefined ? null : quantity(place.index),
    hash: data(tx.hash()),
    type: quantity(tx.type),
    from: data(sender),
    to: tx.to === undefined ? null : data(tx.to.bytes),
    nonce: quantity(tx.nonce),
    gas: quantity(tx.gasLimit),
    value: quantity(tx.value),
    input: data(tx.data),
    gasPrice: quantity(effectiveGasPrice(tx, place?.header.baseFeePerGas)),
    v: quantity(tx.v ?? 0n),
    r: quantity(tx.r ?? 0n),
    s: quantity(tx.s ?? 0n),
  }
  if (tx.type !== TransactionType.Legacy || tx.supports(Capability.EIP155ReplayProtection)) {
    out.chainId = quantity(tx.common.chainId())
  }
  if (tx.type !== TransactionType.Legacy) {
    out.yParity = quantity(tx.v ?? 0n)
    out.accessList = 'accessList' in tx ? accessListJson(tx.accessList) : []
  }
  if ('maxFeePerGas' in tx) {
    out.maxFeePerGas = quantity(tx.maxFeePerGas)
    out.maxPriorityFeePerGas = quantity(tx.maxPriorityFeePerGas)
  }
  if ('authorizationList' in tx) {
    out.authorizationList = tx.authorizationList.map(([chainId, address, nonce, yParity, r, s]) => ({
      chainId: quantity(big(chainId)),
      address: data(address),
      nonce: quantity(big(nonce)),
      yParity: quantity(big(yParity)),
      r: quantity(big(r)),
      s: quantity(big(s)),
    }))
  }
  return out
}

function big(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`)
}

function accessListJson(list: Array<[Uint8Array, Uint8Array[]]> | readonly unknown[]): Json[] {
  return (list as Array<[Uint8Array, Uint8Array[]]>).map(([address, keys]) => ({ address: data(address), storageKeys: keys.map(data) }))
}

/** What the sender pays per gas: the gas price, or base fee + tip capped by the fee cap. */
export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint | undefined): bigint {
  if (!('maxFeePerGas' in tx)) return tx.gasPrice
  if (baseFee === undefined) return tx.maxFeePerGas
  const price = baseFee + tx.maxPriorityFeePerGas
  return price < tx.maxFeePerGas ? price : tx.maxFeePerGas
}

export function formatLog(l: LogWithContext): Json {
  return {
    address: data(l.address),
    topics: l.topics.map(data),
    data: data(l.data),
    blockNumber: quantity(l.blockNumber),
    blockHash: data(l.blockHash),
    blockTimestamp: quantity(l.blockTimestamp),
    transactionHash: data(l.transactionHash),
    transactionIndex: quantity(l.transactionIndex),
    logIndex: quantity(l.logIndex),
    removed: l.removed,
  }
}

export interface ReceiptContext {
  tx: TypedTransaction
  sender: Uint8Array
  header: BlockHeader
  index: number
  receipt: StoredReceipt
  previousCumulativeGas: bigint
  firstLogIndex: number
  bloom: (logs: StoredLog[]) => Uint8Array
}

export function formatReceipt(c: ReceiptContext): Json {
  const { tx, header, receipt } = c
  const blockHash = header.hash()
  const txHash = tx.hash()
  return {
    transactionHash: data(txHash),
    transactionIndex: quantity(c.index),
    blockHash: data(blockHash),
    blockNumber: quantity(header.number),
    from: data(c.sender),
    to: tx.to === undefined ? null : data(tx.to.bytes),
    cumulativeGasUsed: quantity(receipt.cumulativeGasUsed),
    gasUsed: quantity(receipt.cumulativeGasUsed - c.previousCumulativeGas),
    contractAddress: tx.to === undefined ? data(generateAddress(c.sender, bigintBytes(tx.nonce))) : null,
    logs: receipt.logs.map((l, i) =>
      formatLog({
        ...l,
        blockNumber: header.number,
        blockHash,
        blockTimestamp: header.timestamp,
        transactionHash: txHash,
        transactionIndex: c.index,
        logIndex: c.firstLogIndex + i,
        removed: false,
      }),
    ),
    logsBloom: data(c.bloom(receipt.logs)),
    type: quantity(receipt.type),
    status: quantity(receipt.status),
    effectiveGasPrice: quantity(effectiveGasPrice(tx, header.baseFeePerGas)),
  }
}

function bigintBytes(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array()
  const hex = n.toString(16)
  return Uint8Array.from(Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex'))
}

export type { HexString }
