// opal as a library: start a node or a devnet from code (tests, scripts, other tools).
export { OpalNode } from './node.ts'
export type { NodeParts } from './node.ts'
export { startDevnet, devnetBanner } from './devnet.ts'
export type { Devnet, DevnetOptions } from './devnet.ts'
export { DEFAULT_CONFIG, validateConfig } from './config.ts'
export type { NodeConfig } from './config.ts'
export { createLogger } from './logger.ts'
export { VERSION, CLIENT_VERSION } from './version.ts'
