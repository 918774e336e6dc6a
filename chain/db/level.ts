// The on-disk key-value store: LevelDB through `level`, bytes in and bytes out.
import { Level as LevelDB } from 'level'

export type Level = LevelDB<Uint8Array, Uint8Array>

export async function openLevel(path: string): Promise<Level> {
  const db = new LevelDB<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  return db
}
