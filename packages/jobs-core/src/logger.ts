/**
 * What nightshift logs through: message first, then fields (console's order). Pass your own as
 * `createJobs({ logger })`: one of this shape, `console`, or pino (see `LoggerInput`).
 *
 * @example
 * createJobs({ db, jobs, logger: console })
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/**
 * A logger that takes its fields first, as pino and bunyan do: `logger.warn({ jobId }, 'message')`.
 *
 * @example
 * import pino from 'pino'
 * createJobs({ db, jobs, logger: pino() }) // recognised as it is
 * createJobs({ db, jobs, logger: fieldsFirst(bunyanLogger) }) // any other fields-first logger
 */
export interface FieldsFirstLogger {
  debug(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

/**
 * What `createJobs({ logger })` accepts: a `Logger` (or `console`), a pino logger as it is (its type
 * fits `Logger`; at run time it is recognised by its `bindings()` and `levels` and given its fields
 * first), any other fields-first logger wrapped in `fieldsFirst`, or `false` for none. Left out,
 * warnings and errors go to stderr, one line each (`consoleLogger()`).
 *
 * @example
 * createJobs({ db, jobs, logger: pino({ level: 'info' }) })
 * createJobs({ db, jobs, logger: consoleLogger({ level: 'debug' }) })
 * createJobs({ db, jobs, logger: false })
 */
export type LoggerInput = Logger | false

/** Levels from the most detailed to the most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

/** Logs nothing. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}

/**
 * The default logger: each entry at `level` or above (default `warn`) as one line on stderr
 * (`console.error`), the fields as JSON: `[warn] nightshift: a job attempt failed; … {"job":"send",…}`.
 *
 * @example
 * createJobs({ db, jobs, logger: consoleLogger({ level: 'info' }) })
 */
export function consoleLogger(options: { level?: LogLevel } = {}): Logger {
  const least = levels.indexOf(options.level ?? 'warn')
  const line = (level: LogLevel) =>
    levels.indexOf(level) < least
      ? () => {}
      : (message: string, fields?: Record<string, unknown>) =>
          console.error(
            fields === undefined ? `[${level}] ${message}` : `[${level}] ${message} ${json(fields)}`,
          )
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}

/**
 * Wraps a fields-first logger (bunyan, or pino when it is not recognised) as a `Logger`.
 *
 * @example
 * createJobs({ db, jobs, logger: fieldsFirst(bunyan.createLogger({ name: 'jobs' })) })
 */
export function fieldsFirst(logger: FieldsFirstLogger): Logger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  }
}

/** The `Logger` behind what `createJobs({ logger })` was given (see `LoggerInput`). */
export function toLogger(input: LoggerInput | undefined): Logger {
  if (input === undefined) return consoleLogger()
  if (input === false) return silentLogger
  if (isPino(input)) return fieldsFirst(input as unknown as FieldsFirstLogger)
  return input as Logger
}

/**
 * A logger that adds `bound` to every entry's fields (a job's name, id and attempt for `ctx.logger`).
 *
 * @example
 * bindLogger(logger, { job: 'send-email', jobId: '42' }).info('sent') // fields: job, jobId
 */
export function bindLogger(logger: Logger, bound: Record<string, unknown>): Logger {
  const withBound = (fields?: Record<string, unknown>) =>
    fields === undefined ? bound : { ...bound, ...fields }
  return {
    debug: (message, fields) => logger.debug(message, withBound(fields)),
    info: (message, fields) => logger.info(message, withBound(fields)),
    warn: (message, fields) => logger.warn(message, withBound(fields)),
    error: (message, fields) => logger.error(message, withBound(fields)),
  }
}

// pino's loggers carry `bindings()` and a `levels` table; a logger of our shape or console has neither.
function isPino(input: object): boolean {
  const candidate = input as { bindings?: unknown; levels?: unknown }
  return typeof candidate.bindings === 'function' && typeof candidate.levels === 'object'
}

function json(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_key, value) => (typeof value === 'bigint' ? String(value) : value))
  } catch {
    return String(Object.keys(fields))
  }
}
