import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { HeldJob } from './claim-jobs.js'

/**
 * Puts held jobs back to `pending` without spending an attempt: a snooze (`delayMs` later), or a
 * worker stopping before its handlers finished (`delayMs` 0). Only runs still held are touched.
 * Returns the ids released.
 */
export async function releaseJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  held: readonly HeldJob[],
  options: { delayMs: number; message: string | null },
): Promise<string[]> {
  if (held.length === 0) return []
  const rows = await executor.query<{ id: string }>(
    `update ${schema.jobs} as j
     set status = 'pending', attempts = greatest(j.attempts - 1, 0), locked_by = null, locked_until = null,
         scheduled_for = now() + $3 * interval '1 millisecond', error_message = coalesce($4, j.error_message),
         updated_at = now()
     from unnest($1::bigint[], $5::int[]) as h(id, attempt)
     where j.id = h.id and j.attempts = h.attempt and j.locked_by = $2
     returning j.id`,
    [held.map((run) => run.id), workerId, options.delayMs, options.message, held.map((run) => run.attempt)],
    { prepare: true },
  )
  return rows.map((row) => row.id)
}
