import { messageOf, NightshiftError } from '../errors.js'

/**
 * Whether an error means the database could not be reached or dropped the connection (as opposed to a
 * statement it refused): Node's network errors, SQLSTATE class 08 (connection exception), 57P01–57P03
 * (administrator shutdown, crash shutdown, cannot connect now), 53300 (too many connections), a
 * statement the database did not answer within `queryTimeoutMs`, and nightshift's own
 * `database_unavailable` (which such an error becomes on its way out of the executor).
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (error instanceof NightshiftError) return code === 'database_unavailable'
  if (typeof code !== 'string') {
    // node-postgres reports a connection that ended or timed out without a code, and so a query on a
    // client whose connection failed earlier ("Client has encountered a connection error and is not
    // queryable").
    const message = error instanceof Error ? error.message : ''
    return /connection terminated|connection timeout|timeout exceeded when trying to connect|query timed out|connection error and is not queryable/i.test(
      message,
    )
  }
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EPIPE'].includes(
      code,
    ) ||
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '53300'].includes(code)
  )
}

/** Where a database is, as configured: a connection string, or a pg Pool's or Client's options. */
export type DatabaseLocation =
  | string
  | { options?: { host?: unknown; port?: unknown; connectionString?: unknown } }

/**
 * `host:port` of a database, for messages: never the user, the password or the database name. A
 * socket directory stays a path. Undefined when nothing says (a Kysely instance; a Pool configured only
 * through PG* environment variables, which the core does not read).
 *
 * @example
 * databaseAddress('postgres://app:secret@db.internal:6543/app') // 'db.internal:6543'
 */
export function databaseAddress(location: DatabaseLocation | undefined): string | undefined {
  if (location === undefined) return undefined
  if (typeof location === 'string') {
    try {
      const url = new URL(location)
      const host = decodeURIComponent(url.hostname) || url.searchParams.get('host')
      if (!host) return undefined
      return `${host}:${url.port || '5432'}`
    } catch {
      return undefined
    }
  }
  const options = location.options
  if (typeof options?.connectionString === 'string') return databaseAddress(options.connectionString)
  if (typeof options?.host === 'string' && options.host !== '') {
    return `${options.host}:${typeof options.port === 'number' || typeof options.port === 'string' ? options.port : '5432'}`
  }
  return undefined
}

/**
 * A connection failure as the error nightshift throws: code `database_unavailable`, the address it
 * tried (the socket error's own when it has one, else the configured one; never credentials), what
 * went wrong, and the original as `cause`.
 */
export function databaseUnavailable(error: unknown, configured: string | undefined): NightshiftError {
  const failed = error as { address?: unknown; port?: unknown } | null
  const address =
    typeof failed?.address === 'string'
      ? `${failed.address}${typeof failed.port === 'number' ? `:${failed.port}` : ''}`
      : configured
  const where = address === undefined ? 'the database' : `the database at ${address}`
  return new NightshiftError('database_unavailable', `cannot reach ${where}: ${messageOf(error)}`, {
    cause: error,
  })
}

/**
 * A statement of nightshift's that found its tables missing (42P01 undefined table, 3F000 undefined
 * schema): the queue was never migrated in this database, or under another schema name.
 */
export function isMissingTable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '42P01' || code === '3F000'
}

/** A missing-table error as the error nightshift throws, saying what to do. */
export function notMigrated(error: unknown): NightshiftError {
  return new NightshiftError(
    'not_migrated',
    `nightshift's tables are not in this database (${messageOf(error)}): run jobs.migrate() first, or apply migrationSql() with your migration tool, with the same schema option`,
    { cause: error },
  )
}

/**
 * What an error from one of nightshift's own statements becomes: an unreachable database is
 * `database_unavailable`, missing tables are `not_migrated`; anything else is returned as it is.
 */
export function translateDatabaseError(error: unknown, configured: string | undefined): unknown {
  if (error instanceof NightshiftError) return error
  if (isMissingTable(error)) return notMigrated(error)
  if (isConnectionError(error)) return databaseUnavailable(error, configured)
  return error
}
