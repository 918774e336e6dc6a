/** A genesis file that cannot be used; `field` is the JSON path of the offending value. */
export class GenesisError extends Error {
  readonly field: string

  constructor(field: string, message: string) {
    super(`genesis: ${field}: ${message}`)
    this.name = 'GenesisError'
    this.field = field
  }
}
