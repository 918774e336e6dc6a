// A precompile function ends early by throwing Revert: the caller sees the ABI-encoded custom
// error as revert data, and every write of the call is undone by the EVM.
export class Revert extends Error {
  readonly errorName: string
  readonly args: readonly unknown[]

  constructor(errorName: string, ...args: unknown[]) {
    super(`${errorName}(${args.map(String).join(', ')})`)
    this.errorName = errorName
    this.args = args
  }
}
