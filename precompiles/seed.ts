// The Datanets, models and adapters a chain starts with, written by the registries' own record
// functions into the genesis storage of their precompiles. Seeded contributions are accepted
// without stake or votes; a Datanet marked `publish` gets version 1 over them.
import * as T from './attribution/records.ts'
import { Store } from './framework/storage.ts'
import * as R from './receipts/records.ts'
import * as S from './servers/records.ts'
import * as A from './adapters/records.ts'
import * as D from './datanets/records.ts'
import * as M from './models/records.ts'
import { adapterProblem } from './adapterRegistry.ts'
import { rulesProblem } from './datanetRegistry.ts'
import { missingVersion } from './modelRegistry.ts'
import { MemoryStorage } from './memoryStorage.ts'
import { PrecompileSettingsError } from './settings.ts'
import type { PrecompileName, PrecompileSettings } from './settings.ts'

export interface Seeded {
  storage: MemoryStorage
  /** Datanets given a version at genesis */
  published: bigint[]
  /** OPEN each precompile holds: the stakes and escrow seeded */
  balances: Map<PrecompileName, bigint>
}

/**
 * Writes the genesis records: Datanets, models, adapters, inference servers with their stake,
 * payers' escrow, and the default scoring graph (registered, as every chain has it).
 */
export async function seedRegistries(settings: PrecompileSettings, timestamp: bigint, defaultGraphId: Uint8Array, defaultGraphSize: bigint): Promise<Seeded> {
  const mem = new MemoryStorage()
  const balances = new Map<PrecompileName, bigint>()
  const datanets = new Store(mem, settings.addresses.datanets)
  const models = new Store(mem, settings.addresses.models)
  const adapters = new Store(mem, settings.addresses.adapters)
  const published: bigint[] = []
  for (const [i, d] of settings.initial.datanets.entries()) {
    const problem = rulesProblem(d.name, d.schemaURI, { sketchKind: 1, sketchDim: d.sketchDim, licenseURI: d.licenseURI, curators: d.curators, quorum: d.quorum })
    if (problem !== undefined) throw new PrecompileSettingsError(`initial.datanets[${i}]`, problem)
    const id = await D.createDatanet(datanets, { ...d, sketchKind: 1, createdAt: timestamp })
    for (const [j, c] of d.contributions.entries()) {
      if (c.sketch.length !== d.sketchDim) throw new PrecompileSettingsError(`initial.datanets[${i}].contributions[${j}].sketch`, `expected ${d.sketchDim} bytes`)
      if ((await D.contributionByContent(datanets, id, c.contentHash)) !== 0n) throw new PrecompileSettingsError(`initial.datanets[${i}].contributions[${j}].contentHash`, 'duplicate content hash')
      const cid = await D.addContribution(datanets, { datanetId: id, ...c, stake: 0n, submittedAt: timestamp })
      await D.setDecision(datanets, cid, D.Status.Accepted, timestamp)
      await D.appendAccepted(datanets, id, cid, c.contentHash)
    }
    if (d.publish && d.contributions.length > 0) {
      await D.publishVersion(datanets, id, timestamp)
      published.push(id)
    }
  }
  for (const [i, m] of settings.initial.models.entries()) {
    const missing = await missingVersion(datanets, m.datanetVersions)
    if (missing !== undefined) throw new PrecompileSettingsError(`initial.models[${i}].datanetVersions`, `datanet ${missing.datanetId} has no version ${missing.version}`)
    if (m.scoringGraphId.some((b) => b !== 0) && Buffer.compare(m.scoringGraphId, defaultGraphId) !== 0) throw new PrecompileSettingsError(`initial.models[${i}].scoringGraphId`, 'a genesis model cites the default scoring graph (zero or its id)')
    await M.addModel(models, { ...m, createdAt: timestamp })
  }
  for (const [i, a] of settings.initial.adapters.entries()) {
    if (!(await M.modelExists(models, a.modelId))) throw new PrecompileSettingsError(`initial.adapters[${i}].modelId`, `no model ${a.modelId}`)
    const problem = adapterProblem(a)
    if (problem !== undefined) throw new PrecompileSettingsError(`initial.adapters[${i}]`, problem)
    await A.addAdapter(adapters, { ...a, createdAt: timestamp })
  }
  const servers = new Store(mem, settings.addresses.servers)
  for (const [i, sv] of settings.initial.servers.entries()) {
    if (sv.stake < settings.servers.minStake) throw new PrecompileSettingsError(`initial.servers[${i}].stake`, `below the minimum stake ${settings.servers.minStake}`)
    if ((await S.serverTerms(servers, sv.signer)).status !== S.ServerStatus.None) throw new PrecompileSettingsError(`initial.servers[${i}].signer`, 'registered twice')
    await S.register(servers, { ...sv, at: timestamp })
    balances.set('servers', (balances.get('servers') ?? 0n) + sv.stake)
  }
  const receipts = new Store(mem, settings.addresses.receipts)
  for (const e of settings.initial.escrows) {
    await R.setEscrowBalance(receipts, e.payer.bytes, (await R.escrowBalance(receipts, e.payer.bytes)) + e.amount)
    balances.set('receipts', (balances.get('receipts') ?? 0n) + e.amount)
  }
  const attribution = new Store(mem, settings.addresses.attribution)
  await T.writeGraph(attribution, defaultGraphId, { size: defaultGraphSize, registrant: settings.sequencer, registeredAt: timestamp })
  return { storage: mem, published, balances }
}
