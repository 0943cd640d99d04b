import { NightshiftError } from '../errors.js'

const identifier = /^[a-z_][a-z0-9_]{0,62}$/

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
 * Checks a schema name and quotes it. Only plain lower-case identifiers are accepted, so the name can
 * be placed in SQL text safely.
 */
export function schemaName(name: string): SchemaName {
  if (typeof name !== 'string' || !identifier.test(name)) {
    throw new NightshiftError(
      'invalid_option',
      `schema ${JSON.stringify(name)} must be a lower-case SQL identifier (letters, digits, underscores)`,
    )
  }
  const sql = `"${name}"`
  return { name, sql, jobs: `${sql}.jobs`, channel: `nightshift_${name}` }
}
