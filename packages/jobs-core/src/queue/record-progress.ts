import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { HeldJob } from './claim-jobs.js'
import { heldRun } from './transitions.js'

/**
 * Records a running handler's progress (`ctx.progress`; transition `progress`), fenced on its run's
 * token, and extends its lease as a heartbeat does. Returns false when the run no longer holds its job.
 *
 * @example
 * await recordProgress(executor, schema, workerId, run, '{"sent":40,"of":120}', leaseMs)
 */
export async function recordProgress(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  held: HeldJob,
  progress: string,
  leaseMs: number,
): Promise<boolean> {
  const rows = await executor.query(
    `update ${schema.jobs} as j
     set progress = $4::jsonb, locked_until = now() + $5 * interval '1 millisecond'
     where j.id = $1 and ${heldRun('j.', '$3::bigint', '$2')}
     returning j.id`,
    [held.id, workerId, held.token, progress, leaseMs],
  )
  return rows.length > 0
}
