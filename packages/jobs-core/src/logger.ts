/**
 * What nightshift logs through. Pass your own (pino, console, a host's logger); the default is silent,
 * because a library must not write to a host's output unasked.
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

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}
