#!/usr/bin/env node
// The CLI is written in TypeScript and run by Node's built-in type stripping (Node >= 22.18).
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`opal needs Node.js >= 22.18 (this is ${process.version}); run it through npm (npx opal …), which uses the Node.js installed with the project.`)
  process.exit(1)
}
await import('../node/cli.ts')
