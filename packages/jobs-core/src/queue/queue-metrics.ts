import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'

/**
 * Finished runs read per call at most, for the last minute's counts: past it (over ~1,700 runs a
 * second) the counts are a floor and `finishedAtLimit` says so, so a scrape never reads unbounded rows.
 */
export const finishedScanLimit = 100_000

/** One job name's figures in `QueueMetrics`. */
export interface JobNameMetrics {
  /** The job's name. */
  name: string
  /** Pending jobs that are due now: the queue's depth. */
  due: number
  /** Pending jobs not yet due (a `runAt` in the future, a retry's backoff). */
  scheduled: number
  /** Jobs running (leased to a worker). */
  processing: number
  /** How long the oldest due job has waited, in seconds; 0 when none is due. */
  oldestDueSeconds: number
  /** Runs finished in the last minute, by how they ended. */
  completedLastMinute: number
  failedLastMinute: number
  cancelledLastMinute: number
}

/** The queue's gauges per job name, for Prometheus (`GET <base>/metrics`) or OpenTelemetry. */
export interface QueueMetrics {
  jobs: JobNameMetrics[]
  /** Whether more than `finishedScanLimit` runs finished in the last minute (its counts are a floor). */
  finishedAtLimit: boolean
}

/**
 * Reads the queue's depth, age of the oldest due job and runs finished in the last minute, per job
 * name, in one statement. Live rows are read through their partial indexes (`jobs_claim_idx`,
 * `jobs_lease_idx`), the last minute's finished rows through `jobs_finished_idx`, at most
 * `finishedScanLimit` of them: its cost does not grow with history.
 */
export async function queueMetrics(executor: SqlExecutor, schema: SchemaName): Promise<QueueMetrics> {
  const rows = await executor.query<{
    name: string
    due: number
    scheduled: number
    processing: number
    oldest: number
    completed: number
    failed: number
    cancelled: number
    scanned: number
  }>(
    `with live as (
       select type,
              count(*) filter (where scheduled_for <= now())::int as due,
              count(*) filter (where scheduled_for > now())::int as scheduled,
              0 as processing,
              coalesce(extract(epoch from now() - min(scheduled_for) filter (where scheduled_for <= now())), 0)::float8 as oldest
       from ${schema.jobs} where status = 'pending' group by type
       union all
       select type, 0, 0, count(*)::int, 0 from ${schema.jobs} where status = 'processing' group by type
     ), recent as (
       select type, status from ${schema.jobs}
       where status in ('completed', 'failed', 'cancelled') and updated_at > now() - interval '1 minute'
       limit $1
     ), finished as (
       select type,
              count(*) filter (where status = 'completed')::int as completed,
              count(*) filter (where status = 'failed')::int as failed,
              count(*) filter (where status = 'cancelled')::int as cancelled
       from recent group by type
     ), totals as (
       select type, sum(due)::int as due, sum(scheduled)::int as scheduled, sum(processing)::int as processing,
              max(oldest) as oldest
       from live group by type
     )
     select coalesce(t.type, f.type) as name,
            coalesce(t.due, 0) as due, coalesce(t.scheduled, 0) as scheduled,
            coalesce(t.processing, 0) as processing, coalesce(t.oldest, 0) as oldest,
            coalesce(f.completed, 0) as completed, coalesce(f.failed, 0) as failed,
            coalesce(f.cancelled, 0) as cancelled,
            (select count(*) from recent)::int as scanned
     from totals t full join finished f on f.type = t.type
     order by 1`,
    [finishedScanLimit],
  )
  return {
    jobs: rows.map((row) => ({
      name: row.name,
      due: row.due,
      scheduled: row.scheduled,
      processing: row.processing,
      oldestDueSeconds: Math.max(0, Math.round(row.oldest * 1000) / 1000),
      completedLastMinute: row.completed,
      failedLastMinute: row.failed,
      cancelledLastMinute: row.cancelled,
    })),
    finishedAtLimit: (rows[0]?.scanned ?? 0) >= finishedScanLimit,
  }
}
