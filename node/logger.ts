// Structured logs with pino: JSON lines for machines, or a compact human form for terminals.
import { Transform } from 'node:stream'
import { pino } from 'pino'
import type { Logger } from 'pino'

export type LogFormat = 'json' | 'pretty'
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' }

export function createLogger(level: LogLevel, format: LogFormat, destination: NodeJS.WritableStream = process.stdout): Logger {
  if (format === 'json') return pino({ level, base: undefined }, destination)
  return pino({ level, base: undefined }, prettyStream(destination))
}

/** One line per record: time, level, module, message, then the remaining fields as key=value. */
function prettyStream(out: NodeJS.WritableStream): Transform {
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.length === 0) continue
        try {
          const { time, level, msg, module, err, ...rest } = JSON.parse(line) as Record<string, unknown>
          const ts = new Date(Number(time)).toISOString().slice(11, 23)
          const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          const errText = err !== undefined ? ` ${(err as { message?: string }).message ?? JSON.stringify(err)}` : ''
          this.push(`${ts} ${LEVELS[Number(level)] ?? level} ${module !== undefined ? `[${String(module)}] ` : ''}${String(msg ?? '')}${errText}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}\n`)
        } catch {
          this.push(`${line}\n`)
        }
      }
      done()
    },
  })
  t.pipe(out)
  return t
}
