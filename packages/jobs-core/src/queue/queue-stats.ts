import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { JobStatus } from './manage-jobs.js'

/** The statuses a job ends in; their rows are history, and pile up until purged. */
export type FinishedStatus = 'completed' | 'failed' | 'cancelled'

/**
 * Finished rows are counted up to this many per status: past it, counting would read history that
 * grows without bound (2 M completed rows took 0.6–1 s per health check, every 10 s from the dashboard).
 */
export const finishedCountLimit = 10_000

/** What a queue's usual verification SQL (counts by status, stale pending jobs) tells, as numbers. */
export interface QueueStats {
  /**
   * Jobs by status. `pending` and `processing` are exact. A finished status is exact up to
   * `finishedCountLimit` (10,000); one with more shows 10,000 and is listed in `countsAtLimit`.
   */
  counts: Record<JobStatus, number>
  /** Finished statuses with at least `finishedCountLimit` rows: their count means "10,000 or more". */
  countsAtLimit: FinishedStatus[]
  /** Age of the oldest due pending job, 0 when none waits. */
  oldestPendingSeconds: number
  /** Jobs that need attention: `expiredLeases + overduePending`. */
  stuck: number
  /** Processing jobs whose lease expired (their worker died); released on the next claim. */
  expiredLeases: number
  /** Pending jobs due for longer than the stuck threshold: no worker is taking them. */
  overduePending: number
  /** Jobs that failed for good in the last hour, up to `finishedCountLimit`. */
  failedLastHour: number
}

/**
 * Reads the queue's health in one statement whose cost is bounded by the live rows, not by history.
 * Each part reads one partial index: pending rows through `jobs_claim_idx`, processing rows through
 * `jobs_lease_idx`, and each finished status through its own (`jobs_failed_idx`,
 * `jobs_cancelled_idx`, `jobs_finished_idx` for completed) with a LIMIT, so it stops after
 * `finishedCountLimit + 1` rows however many millions are stored.
 */
export async function queueStats(
  executor: SqlExecutor,
  schema: SchemaName,
  options: { stuckAfterMs: number },
): Promise<QueueStats> {
  const capped = (where: string) =>
    `(select count(*) from (select 1 from ${schema.jobs} where ${where} limit $2) as capped)::int`
  const rows = await executor.query<{
    pending: number
    oldest: number | null
    overdue: number
    processing: number
    expired: number
    completed: number
    failed: number
    cancelled: number
    failed_last_hour: number
  }>(
    `with pending as (
       select count(*)::int as pending,
              extract(epoch from now() - min(scheduled_for) filter (where scheduled_for <= now()))::float8 as oldest,
              count(*) filter (where scheduled_for < now() - $1 * interval '1 millisecond')::int as overdue
       from ${schema.jobs} where status = 'pending'
     ), processing as (
       select count(*)::int as processing, count(*) filter (where locked_until < now())::int as expired
       from ${schema.jobs} where status = 'processing'
     )
     select pending.*, processing.*,
            ${capped(`status = 'completed'`)} as completed,
            ${capped(`status = 'failed'`)} as failed,
            ${capped(`status = 'cancelled'`)} as cancelled,
            ${capped(`status = 'failed' and updated_at > now() - interval '1 hour'`)} as failed_last_hour
     from pending, processing`,
    [options.stuckAfterMs, finishedCountLimit],
  )
  const row = rows[0]
  if (!row) throw new Error('queue stats returned no row')
  const finished = { completed: row.completed, failed: row.failed, cancelled: row.cancelled }
  return {
    counts: { pending: row.pending, processing: row.processing, ...finished },
    countsAtLimit: (Object.keys(finished) as FinishedStatus[]).filter(
      (status) => finished[status] >= finishedCountLimit,
    ),
    oldestPendingSeconds: Math.max(0, Math.round(row.oldest ?? 0)),
    stuck: row.expired + row.overdue,
    expiredLeases: row.expired,
    overduePending: row.overdue,
    failedLastHour: row.failed_last_hour,
  }
}
