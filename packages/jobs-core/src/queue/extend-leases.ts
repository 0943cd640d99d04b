import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { HeldJob } from './claim-jobs.js'

/**
 * Extends the leases of the runs this worker holds (the heartbeat), in one statement for all of them.
 * Returns the runs still held; a run missing from it was lost (its lease expired and its job was
 * claimed again, or it was cancelled).
 */
export async function extendLeases(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  held: readonly HeldJob[],
  leaseMs: number,
): Promise<HeldJob[]> {
  if (held.length === 0) return []
  return executor.query<HeldJob>(
    `update ${schema.jobs} as j
     set locked_until = now() + $3 * interval '1 millisecond', updated_at = now()
     from unnest($1::bigint[], $4::int[]) as h(id, attempt)
     where j.id = h.id and j.attempts = h.attempt and j.locked_by = $2
     returning j.id, j.attempts as attempt`,
    [held.map((run) => run.id), workerId, leaseMs, held.map((run) => run.attempt)],
    { prepare: true },
  )
}
