import { NightshiftError } from '../errors.js'

const identifier = /^[a-z_][a-z0-9_]*$/
const channelPrefix = 'nightshift_'
// PostgreSQL keeps identifiers and NOTIFY channel names to 63 bytes (NAMEDATALEN - 1); pg_notify refuses
// a longer channel with "channel name too long". The channel is `nightshift_<schema>`, so the schema
// gets what the prefix leaves: a longer name would migrate and then fail every enqueue (its insert
// trigger notifies).
const maxLength = 63 - channelPrefix.length

/** Where nightshift's tables live, as SQL text: `"nightshift".jobs`, and the NOTIFY channel. */
export interface SchemaName {
  readonly name: string
  /** The quoted schema, for SQL text. */
  readonly sql: string
  readonly jobs: string
  /** The NOTIFY channel that inserts into this schema's jobs table wake. */
  readonly channel: string
}

/**
 * Checks a schema name and quotes it. Only plain lower-case identifiers of at most 52 characters are
 * accepted, so the name can be placed in SQL text safely and its NOTIFY channel fits PostgreSQL's limit.
 */
export function schemaName(name: string): SchemaName {
  if (typeof name !== 'string' || !identifier.test(name)) {
    throw new NightshiftError(
      'invalid_option',
      `schema ${JSON.stringify(name)} must be a lower-case SQL identifier (letters, digits, underscores)`,
    )
  }
  if (name.length > maxLength) {
    throw new NightshiftError(
      'invalid_option',
      `schema ${JSON.stringify(name)} is ${name.length} characters; at most ${maxLength} are allowed, because its NOTIFY channel "${channelPrefix}<schema>" must fit PostgreSQL's 63-byte limit on names`,
    )
  }
  const sql = `"${name}"`
  return { name, sql, jobs: `${sql}.jobs`, channel: `${channelPrefix}${name}` }
}
