// A small client for inference servers: build a receipt, sign it (EIP-712, with a private key or
// any viem account), and submit batches to a node with opal_submitReceipts.
//
//   const client = new ReceiptClient({ url: 'http://127.0.0.1:8545', account: privateKeyToAccount(key) })
//   const receipt = await client.sign({ adapterId, modelId, requestId, payer, inputTokens, outputTokens, fee, sketch })
//   const [answer] = await client.submit([receipt])   // { status: 'accepted', hash } | { status: 'rejected', reason }
import { privateKeyToAccount } from 'viem/accounts'
import type { LocalAccount } from 'viem/accounts'
import { RECEIPT_DOMAIN_NAME, RECEIPT_DOMAIN_VERSION, RECEIPT_TYPES } from '../../precompiles/receipts/format.ts'
import type { InferenceReceipt, SignedReceipt, Span } from '../../precompiles/receipts/format.ts'
import { receiptToJson } from '../../precompiles/receipts/json.ts'

export { RECEIPT_TYPES, RECEIPT_DOMAIN_NAME, RECEIPT_DOMAIN_VERSION }
export type { InferenceReceipt, SignedReceipt, Span }

export interface ReceiptClientOptions {
  /** JSON-RPC URL of an opal node */
  url: string
  /** the inference server's signing key, as a viem account or a 0x private key */
  account: LocalAccount | `0x${string}`
  /** defaults to the node's eth_chainId */
  chainId?: bigint
  /** the receipts precompile (EIP-712 verifyingContract); defaults to the node's opal_receiptDomain */
  verifyingContract?: `0x${string}`
  /** seconds a receipt stays valid after it is issued (default 600) */
  ttlSeconds?: number
}

export type ReceiptDraft = Omit<InferenceReceipt, 'chainId' | 'issuedAt' | 'expiry' | 'spans'> & {
  issuedAt?: bigint
  expiry?: bigint
  spans?: Span[]
}

export type SubmitAnswer = { status: 'accepted'; hash: `0x${string}` } | { status: 'rejected'; reason: string }

export class ReceiptClient {
  readonly #opts: ReceiptClientOptions
  readonly #account: LocalAccount
  #domain: { chainId: bigint; verifyingContract: `0x${string}` } | undefined
  #id = 0

  constructor(opts: ReceiptClientOptions) {
    this.#opts = opts
    this.#account = typeof opts.account === 'string' ? privateKeyToAccount(opts.account) : opts.account
  }

  get address(): `0x${string}` {
    return this.#account.address
  }

  /** Fills chain id and times, and signs the receipt as EIP-712 typed data. */
  async sign(draft: ReceiptDraft): Promise<SignedReceipt> {
    const domain = await this.domain()
    const issuedAt = draft.issuedAt ?? BigInt(Math.floor(Date.now() / 1000))
    const receipt: InferenceReceipt = {
      ...draft,
      chainId: domain.chainId,
      issuedAt,
      expiry: draft.expiry ?? issuedAt + BigInt(this.#opts.ttlSeconds ?? 600),
      spans: draft.spans ?? [],
    }
    const json = receiptToJson({ ...receipt, signature: new Uint8Array(65) })
    const signature = await this.#account.signTypedData({
      domain: { name: RECEIPT_DOMAIN_NAME, version: RECEIPT_DOMAIN_VERSION, chainId: Number(domain.chainId), verifyingContract: domain.verifyingContract },
      types: RECEIPT_TYPES,
      primaryType: 'InferenceReceipt',
      message: {
        ...receipt,
        requestId: json.requestId as `0x${string}`,
        payer: json.payer as `0x${string}`,
        sketch: json.sketch as `0x${string}`,
        spans: receipt.spans.map((s) => ({ contributionId: s.contributionId, matchedTokens: Number(s.matchedTokens) })),
      },
    })
    return { ...receipt, signature: Uint8Array.from(Buffer.from(signature.slice(2), 'hex')) }
  }

  /** Submits signed receipts in one request; one answer per receipt, in order. */
  async submit(receipts: SignedReceipt[]): Promise<SubmitAnswer[]> {
    return (await this.#rpc('opal_submitReceipts', [receipts.map(receiptToJson)])) as SubmitAnswer[]
  }

  /** Status, block and attribution result of a submitted receipt. */
  async get(hash: `0x${string}`): Promise<unknown> {
    return this.#rpc('opal_getReceipt', [hash])
  }

  async domain(): Promise<{ chainId: bigint; verifyingContract: `0x${string}` }> {
    if (this.#domain !== undefined) return this.#domain
    const chainId = this.#opts.chainId ?? BigInt((await this.#rpc('eth_chainId', [])) as string)
    const verifyingContract = this.#opts.verifyingContract ?? ((await this.#rpc('opal_receiptDomain', [])) as { verifyingContract: `0x${string}` }).verifyingContract
    this.#domain = { chainId, verifyingContract }
    return this.#domain
  }

  async #rpc(method: string, params: unknown[]): Promise<unknown> {
    const res = await fetch(this.#opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.#id, method, params }),
    })
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string } }
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message} (${body.error.code})`)
    return body.result
  }
}
