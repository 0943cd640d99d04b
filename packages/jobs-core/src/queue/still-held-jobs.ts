import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { HeldJob } from './claim-jobs.js'
import { heldRun } from './transitions.js'

/**
 * Which of these runs this worker still holds: the check a prefetched job passes just before its
 * handler starts, so that a job cancelled (or lost) while it waited in the local queue never runs.
 * Reads only: the rows are found by primary key and nothing is written. Returns the ids still held.
 *
 * `locked_by` is set only on `processing` rows (the lease check constraint), so a cancelled row, whose
 * lease cancel clears, is not matched; the run fence keeps an older run of a job this worker claimed
 * again from passing for the newer one.
 */
export async function stillHeldJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  held: readonly HeldJob[],
): Promise<Set<string>> {
  if (held.length === 0) return new Set()
  const rows = await executor.query<{ id: string }>(
    `select j.id from ${schema.jobs} as j
     where j.id = any($1::bigint[])
       and ${heldRun('j.', '($3::bigint[])[array_position($1::bigint[], j.id)]', '$2')}`,
    [held.map((run) => run.id), workerId, held.map((run) => run.token)],
    { prepare: true },
  )
  return new Set(rows.map((row) => row.id))
}
