import type { SchemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

/**
 * Puts held jobs back to `pending` without spending an attempt: a snooze (`delayMs` later), or a
 * worker stopping before its handlers finished (`delayMs` 0). Returns the ids released.
 */
export async function releaseJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  ids: readonly string[],
  options: { delayMs: number; message: string | null },
): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await executor.query<{ id: string }>(
    `update ${schema.jobs}
     set status = 'pending', attempts = greatest(attempts - 1, 0), locked_by = null, locked_until = null,
         scheduled_for = now() + $3 * interval '1 millisecond', error_message = coalesce($4, error_message),
         updated_at = now()
     where id = any($1::bigint[]) and locked_by = $2 and status = 'processing'
     returning id`,
    [ids, workerId, options.delayMs, options.message],
  )
  return rows.map((row) => row.id)
}
