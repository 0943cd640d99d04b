import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { JobStatus } from './manage-jobs.js'

/** What the seed's verification SQL tells, as numbers. */
export interface QueueStats {
  counts: Record<JobStatus, number>
  /** Age of the oldest due pending job, 0 when none waits. */
  oldestPendingSeconds: number
  /** Jobs that need attention: `expiredLeases + overduePending`. */
  stuck: number
  /** Processing jobs whose lease expired (their worker died); released on the next claim. */
  expiredLeases: number
  /** Pending jobs due for longer than the stuck threshold: no worker is taking them. */
  overduePending: number
  failedLastHour: number
}

/** Reads the queue's health in one statement. */
export async function queueStats(
  executor: SqlExecutor,
  schema: SchemaName,
  options: { stuckAfterMs: number },
): Promise<QueueStats> {
  const rows = await executor.query<{
    pending: number
    processing: number
    completed: number
    failed: number
    cancelled: number
    oldest: number | null
    expired: number
    overdue: number
    failed_last_hour: number
  }>(
    `select
       count(*) filter (where status = 'pending')::int as pending,
       count(*) filter (where status = 'processing')::int as processing,
       count(*) filter (where status = 'completed')::int as completed,
       count(*) filter (where status = 'failed')::int as failed,
       count(*) filter (where status = 'cancelled')::int as cancelled,
       extract(epoch from now() - min(scheduled_for) filter (where status = 'pending' and scheduled_for <= now()))::float8 as oldest,
       count(*) filter (where status = 'processing' and locked_until < now())::int as expired,
       count(*) filter (where status = 'pending' and scheduled_for < now() - $1 * interval '1 millisecond')::int as overdue,
       count(*) filter (where status = 'failed' and updated_at > now() - interval '1 hour')::int as failed_last_hour
     from ${schema.jobs}`,
    [options.stuckAfterMs],
  )
  const row = rows[0]
  if (!row) throw new Error('queue stats returned no row')
  return {
    counts: {
      pending: row.pending,
      processing: row.processing,
      completed: row.completed,
      failed: row.failed,
      cancelled: row.cancelled,
    },
    oldestPendingSeconds: Math.max(0, Math.round(row.oldest ?? 0)),
    stuck: row.expired + row.overdue,
    expiredLeases: row.expired,
    overduePending: row.overdue,
    failedLastHour: row.failed_last_hour,
  }
}
