import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { ClaimedJob } from './claim-jobs.js'
import { attemptsAfter, runsAfterClaim } from './transitions.js'

/**
 * Claims one pending, due job by id with a lease, as the queue's claim does for many. Only one of
 * many concurrent callers gets the row: the others wait on its row lock, see it `processing`, and get
 * undefined. The job's name must match too: an id found through an idempotency key must never start
 * another job's handler.
 */
export async function claimJobById(
  executor: SqlExecutor,
  schema: SchemaName,
  options: { id: string; type: string; workerId: string; leaseMs: number },
): Promise<ClaimedJob | undefined> {
  const rows = await executor.query<ClaimedJob>(
    `update ${schema.jobs}
     set status = 'processing', attempts = ${attemptsAfter('claim', 'attempts')},
         runs = ${runsAfterClaim('')}, locked_by = $2,
         locked_until = now() + $3 * interval '1 millisecond', started_at = now(), updated_at = now()
     where id = $1 and type = $4 and status = 'pending' and scheduled_for <= now()
     returning id, type, payload, attempts, runs as run, max_attempts, idempotency_key`,
    [options.id, options.workerId, options.leaseMs, options.type],
    { prepare: true },
  )
  return rows[0]
}
