import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { HeldJob } from './claim-jobs.js'
import { heldRun } from './transitions.js'

/**
 * Extends the leases of the runs this worker holds (the heartbeat; transition `extend`), in one
 * statement for all of them. Returns the runs still held; a run missing from it was lost (its lease
 * expired and its job was claimed again, or it was cancelled, perhaps retried and claimed again).
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
     from unnest($1::bigint[], $4::bigint[]) as h(id, token)
     where j.id = h.id and ${heldRun('j.', 'h.token', '$2')}
     returning j.id, j.runs as token`,
    [held.map((run) => run.id), workerId, leaseMs, held.map((run) => run.token)],
    { prepare: true },
  )
}
