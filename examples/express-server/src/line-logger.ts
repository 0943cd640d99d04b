import type { Logger } from '@nightshift/jobs-core'

/** Field names whose values never reach the log: secrets, and job payloads that may carry personal data. */
const withheld = /payload|input|body|result|secret|token|password|authorization|cookie|key/i

type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Level[] = ['debug', 'info', 'warn', 'error']

function shown(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields ?? {})) {
    out[name] = withheld.test(name) ? '[withheld]' : value instanceof Error ? value.message : value
  }
  return out
}

/**
 * A logger that writes one line per event to `stream`: JSON (`{"time","level","msg",...fields}`) when
 * the stream is not a terminal, so log collectors can read it, and `HH:MM:SS level message k=v`
 * when it is. Fields named like secrets or payloads are written as `[withheld]`. Any object with
 * `debug/info/warn/error(message, fields)` works in its place, e.g. `pino()` or `console`.
 *
 * @example
 * const logger = lineLogger(process.stderr, { level: 'info' })
 * createJobs({ db, jobs, logger })
 */
export function lineLogger(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  options: { level?: Level; now?: () => Date } = {},
): Logger {
  const least = order.indexOf(options.level ?? 'info')
  const now = options.now ?? (() => new Date())
  const write = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (order.indexOf(level) < least) return
    const rest = shown(fields)
    if (!stream.isTTY) {
      stream.write(`${JSON.stringify({ time: now().toISOString(), level, msg: message, ...rest })}\n`)
      return
    }
    const pairs = Object.entries(rest).map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    // One event, one line: a message with line breaks (an error's text) is kept on it.
    const text = [now().toISOString().slice(11, 19), level, message.replace(/\s*\n\s*/g, ' '), ...pairs]
    stream.write(`${text.join(' ')}\n`)
  }
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  }
}
