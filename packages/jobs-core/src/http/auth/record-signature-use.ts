import type { SchemaName } from '../../db/schema-name.js'
import type { SqlExecutor } from '../../db/sql-executor.js'

/**
 * Records that a signature was spent, in one statement that also deletes spent signatures past their
 * tolerance. Answers false when it was spent before: the request is a replay. The primary key decides
 * between concurrent requests carrying the same signature, on one instance or many.
 *
 * `now` is the handler's clock, the one signatures are verified against: a signature that verified
 * has `expiresAt >= now`, so its own row is never the one deleted.
 */
export async function recordSignatureUse(
  executor: SqlExecutor,
  schema: SchemaName,
  signature: { value: string; expiresAt: Date },
  now: Date,
): Promise<boolean> {
  const rows = await executor.query(
    `with expired as (delete from ${schema.sql}.used_signatures where expires_at < $3)
     insert into ${schema.sql}.used_signatures (signature, expires_at) values ($1, $2)
     on conflict (signature) do nothing
     returning 1`,
    [signature.value, signature.expiresAt, now],
  )
  return rows.length === 1
}
