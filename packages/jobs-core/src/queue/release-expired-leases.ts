import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'

/** A job whose lease expired, as `releaseExpiredLeases` left it. */
export interface ExpiredLease {
  id: string
  type: string
  /** The attempt that was cut off. */
  attempts: number
  status: 'pending' | 'failed'
}

/**
 * Returns jobs whose lease expired (their worker was killed, lost its connection or was cut off at a
 * platform's wall-clock limit) to `pending`, so they run again (transition `expire`). The lost run
 * keeps its attempt spent: a job that kills its worker every time ends `failed` after `max_attempts`
 * instead of looping forever. The lock is cleared, so the lost run, should it still be alive, can
 * write nothing (its heartbeat aborts it).
 * Reads only the small partial index of processing rows. Returns the jobs it released.
 */
export async function releaseExpiredLeases(
  executor: SqlExecutor,
  schema: SchemaName,
): Promise<ExpiredLease[]> {
  return executor.query<ExpiredLease>(
    `update ${schema.jobs}
     set status = case when attempts >= max_attempts then 'failed' else 'pending' end,
         error_message = 'lease expired: the worker running attempt ' || attempts || ' stopped without finishing it',
         locked_by = null, locked_until = null, updated_at = now()
     where status = 'processing' and locked_until < now()
     returning id, type, attempts, status`,
  )
}
