// An approximate least-recently-used cache in two generations: new and recently read entries live
// in `hot`; when it fills, it becomes `cold` and the old cold generation is dropped. Reads and
// writes are one or two Map operations, where a strict LRU's delete-and-reinsert on every read
// showed as a quarter of a storage-read profile.
export class LRU<K, V> {
  readonly #half: number
  #hot = new Map<K, V>()
  #cold = new Map<K, V>()

  constructor(max: number) {
    this.#half = Math.max(1, Math.floor(max / 2))
  }

  get(key: K): V | undefined {
    const v = this.#hot.get(key)
    if (v !== undefined) return v
    const c = this.#cold.get(key)
    if (c !== undefined) this.set(key, c)
    return c
  }

  set(key: K, value: V): void {
    this.#hot.set(key, value)
    if (this.#hot.size >= this.#half) {
      this.#cold = this.#hot
      this.#hot = new Map()
    }
  }

  delete(key: K): void {
    this.#hot.delete(key)
    this.#cold.delete(key)
  }

  clear(): void {
    this.#hot.clear()
    this.#cold.clear()
  }
}
