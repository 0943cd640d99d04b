import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { HeldJob } from './claim-jobs.js'
import { storableText } from './storable-text.js'
import { attemptsAfter, heldRun } from './transitions.js'

/**
 * Puts held runs back to `pending` without spending an attempt (transitions `snooze` and `release`):
 * a snooze (`delayMs` later), or a worker handing back a run it never started or interrupted itself
 * (`delayMs` 0). Only runs still held (same token, lock held) are touched. Returns the ids released.
 */
export async function releaseJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  held: readonly HeldJob[],
  options: { delayMs: number; message: string | null; transition?: 'snooze' | 'release' },
): Promise<string[]> {
  if (held.length === 0) return []
  const rows = await executor.query<{ id: string }>(
    `update ${schema.jobs} as j
     set status = 'pending', attempts = ${attemptsAfter(options.transition ?? 'release', 'j.attempts')}, locked_by = null, locked_until = null,
         scheduled_for = now() + $3 * interval '1 millisecond', error_message = coalesce($4, j.error_message),
         updated_at = now()
     from unnest($1::bigint[], $5::bigint[]) as h(id, token)
     where j.id = h.id and ${heldRun('j.', 'h.token', '$2')}
     returning j.id`,
    [
      held.map((run) => run.id),
      workerId,
      options.delayMs,
      options.message === null ? null : storableText(options.message),
      held.map((run) => run.token),
    ],
    { prepare: true },
  )
  return rows.map((row) => row.id)
}
