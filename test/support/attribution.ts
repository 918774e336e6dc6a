// A devnet for Proof of Attribution tests: the dev accounts in their roles, sketches built so the
// right contributions must win, an inference server's receipt client, and helpers that sign,
// submit and wait for what settled. `attributionDevnet()` starts the devnet before the file's
// tests and stops it after them.
import { after, before } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, defineChain, http, keccak256, parseEther, toHex } from 'viem'
import type { Abi, PublicClient } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { devAccounts } from '../../genesis/index.ts'
import { DATANET_ABI, DEFAULT_ADDRESSES, INFERENCE_NODES_ABI, RECEIPTS_ABI } from '../../precompiles/index.ts'
import { ReceiptClient } from '../../rpc/client/receipts.ts'
import type { SignedReceipt } from '../../rpc/client/receipts.ts'
import { startDevnet } from './devnet.ts'
import type { DevnetProcess } from './devnet.ts'
import { receiptOutcome } from './nodes.ts'
import { contractCalls } from './viem.ts'

// dev accounts 0… of the standard test mnemonic, funded on every devnet
export const [owner, cur1, cur2, alice, bob, carol, dave, operator, payer] = devAccounts(9).map((a) => privateKeyToAccount(a.privateKey))
/** the devnet's sequencer (dev account 10): the genesis treasury and slasher */
export const SEQUENCER = '0xbcd4042de499d14e55001ccbb24a551f3b954096'
export const DIM = 64
/** per 1,000 tokens */
export const PRICE = parseEther('0.002')
export const opalChain = defineChain({ id: 31337, name: 'opal', nativeCurrency: { name: 'Open', symbol: 'OPEN', decimals: 18 }, rpcUrls: { default: { http: [] } } })
const { datanets: DATANETS, servers: SERVERS, receipts: RECEIPTS } = DEFAULT_ADDRESSES

/** An int8 sketch: `value` on dimensions [from, to), zero elsewhere. */
export function sketchOf(parts: Array<[from: number, to: number, value: number]>): Int8Array {
  const s = new Int8Array(DIM)
  for (const [from, to, value] of parts) for (let i = from; i < to; i++) s[i] = value
  return s
}

export const hexOf = (s: Int8Array) => toHex(new Uint8Array(s.buffer, s.byteOffset, s.length))

// the contributions, and a query built so that (by the plain dot product) A wins, E comes second,
// B third, C and D earn nothing
export const SKETCHES = {
  A: sketchOf([[0, 16, 100]]),
  B: sketchOf([[16, 32, 100]]),
  C: sketchOf([[32, 48, 100]]),
  D: sketchOf([[0, 16, -100]]),
  E: sketchOf([[0, 32, 50]]),
}
export const QUERY = sketchOf([[0, 16, 100], [16, 32, 50]])
/** who contributed each sketch (alice two of them) */
export const CONTRIBUTORS = { A: alice, B: bob, C: carol, D: dave, E: alice }

/** opal_getReceipt of a settled or refused receipt, as these tests read it. */
export interface Outcome {
  status: string
  reason: string | null
  blockNumber: string
  fee: string
  split: Record<string, string>
  attribution: { mode: string; candidates: string; contributions: Array<{ contributionId: string; contributor: string; score: string; weight: string; amount: string; matchedTokens: string }> }
}

export interface AttributionDevnet {
  readonly devnet: DevnetProcess
  readonly client: PublicClient
  /** the inference server's receipt client, signing with `signerKey` */
  readonly server: ReceiptClient
  readonly signerKey: `0x${string}`
  readonly signer: ReturnType<typeof privateKeyToAccount>
  /** ids of what the tests create (datanet, contributions by sketch name, model, adapter) */
  readonly ids: Record<string, bigint>
  write: ReturnType<typeof contractCalls>['write']
  revertOf: ReturnType<typeof contractCalls>['revertOf']
  read<R>(address: `0x${string}`, abi: Abi, functionName: string, args?: unknown[]): Promise<R>
  claimable(account: string): Promise<bigint>
  escrow(payer: string): Promise<bigint>
  /** a receipt of the model and adapter in `ids` for 1,000 tokens of the query, paid by `payer` */
  sign(over?: Partial<Parameters<ReceiptClient['sign']>[0]>, by?: ReceiptClient): Promise<SignedReceipt>
  /** submits and waits until a block settled (or refused) every accepted receipt */
  settle(receipts: SignedReceipt[]): Promise<Outcome[]>
  /** the server registered with the minimum stake and 1 OPEN escrowed by `payer`; the minimum stake */
  stakeAndEscrow(): Promise<bigint>
  /** a Datanet (curated by cur1 and cur2, quorum 2) holding the sketches accepted, in ids.datanet and ids.A… */
  createDatanet(name: string): Promise<void>
}

export function attributionDevnet(): AttributionDevnet {
  let devnet: DevnetProcess | undefined
  let client: PublicClient | undefined
  let server: ReceiptClient | undefined
  const started = <T>(x: T | undefined): T => {
    assert.ok(x !== undefined, 'the devnet is started before the tests')
    return x
  }
  const signerKey = generatePrivateKey()
  const ids: Record<string, bigint> = {}
  let requests = 0
  before(async () => {
    devnet = await startDevnet({ blockTime: 0 })
    client = createPublicClient({ chain: opalChain, transport: http(devnet.url), pollingInterval: 50 })
    server = new ReceiptClient({ url: devnet.url, account: signerKey })
  })
  after(async () => {
    await devnet?.stop()
  })
  const { write, revertOf } = contractCalls(() => started(client), opalChain, () => started(devnet).url)
  const read = <R>(address: `0x${string}`, abi: Abi, functionName: string, args: unknown[] = []) => started(client).readContract({ address, abi, functionName, args }) as Promise<R>
  const signer = privateKeyToAccount(signerKey)
  const t: AttributionDevnet = {
    get devnet() {
      return started(devnet)
    },
    get client() {
      return started(client)
    },
    get server() {
      return started(server)
    },
    signerKey,
    signer,
    ids,
    write,
    revertOf,
    read,
    claimable: (a) => read<bigint>(RECEIPTS, RECEIPTS_ABI, 'claimable', [a]),
    escrow: async (a) => (await read<{ balance: bigint }>(RECEIPTS, RECEIPTS_ABI, 'escrowOf', [a])).balance,
    sign(over = {}, by = started(server)) {
      const requestId = new Uint8Array(32)
      new DataView(requestId.buffer).setUint32(28, ++requests)
      const tokens = 1000n
      return by.sign({
        adapterId: ids.adapter, modelId: ids.model, requestId, payer: Uint8Array.from(Buffer.from(payer.address.slice(2), 'hex')),
        inputTokens: 700n, outputTokens: tokens - 700n, fee: (PRICE * tokens) / 1000n, sketch: QUERY, ...over,
      })
    },
    async settle(receipts) {
      const answers = await started(server).submit(receipts)
      const out: Outcome[] = []
      for (const a of answers) {
        assert.equal(a.status, 'accepted', JSON.stringify(a))
        out.push(await receiptOutcome<Outcome>(started(devnet).url, (a as { hash: string }).hash))
      }
      return out
    },
    async stakeAndEscrow() {
      const min = await read<bigint>(SERVERS, INFERENCE_NODES_ABI, 'minStake')
      await write(operator, SERVERS, INFERENCE_NODES_ABI, 'register', [signer.address, 'http://gpu-1'], min)
      await write(payer, RECEIPTS, RECEIPTS_ABI, 'deposit', [], parseEther('1'))
      return min
    },
    async createDatanet(name) {
      const rules = { minStake: parseEther('0.1'), sketchKind: 1, sketchDim: DIM, licenseURI: '', curators: [cur1.address, cur2.address], quorum: 2 }
      ids.datanet = (await write(owner, DATANETS, DATANET_ABI, 'createDatanet', [name, '', keccak256(toHex(name)), rules])).result as bigint
      for (const [sketch, values] of Object.entries(SKETCHES)) {
        const who = CONTRIBUTORS[sketch as keyof typeof CONTRIBUTORS]
        ids[sketch] = (await write(who, DATANETS, DATANET_ABI, 'contribute', [ids.datanet, keccak256(toHex(sketch)), hexOf(values), `ipfs://${sketch}`], parseEther('0.1'))).result as bigint
        for (const c of [cur1, cur2]) await write(c, DATANETS, DATANET_ABI, 'review', [ids[sketch], 1, keccak256(toHex('ok'))])
      }
    },
  }
  return t
}
