import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { JobStatus } from '../queue/manage-jobs.js'

/** One finished run, as the dashboard lists it. */
export interface FinishedJob {
  id: string
  name: string
  status: JobStatus
  attempts: number
  maxAttempts: number
  errorMessage: string | null
  /** When the job ended (its `updated_at`). */
  endedAt: Date
  /** How long its last run took (end - `started_at`), or null for a job never started. */
  durationMs: number | null
}

/**
 * The latest finished jobs, newest first: all finished statuses (read through `jobs_finished_idx`
 * backwards), or only `failed`, the dead-letter set (through `jobs_failed_idx`). Payloads and results
 * are never read.
 */
export async function recentFinishedJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  options: { limit: number; onlyFailed: boolean },
): Promise<FinishedJob[]> {
  return executor.query<FinishedJob>(
    `select id::text as id, type as name, status, attempts, max_attempts as "maxAttempts",
            error_message as "errorMessage", updated_at as "endedAt",
            -- a failed run records no completed_at: it ended when it was last updated
            (extract(epoch from coalesce(completed_at, updated_at) - started_at) * 1000)::float8 as "durationMs"
     from ${schema.jobs}
     where ${options.onlyFailed ? `status = 'failed'` : `status in ('completed', 'failed', 'cancelled')`}
     order by updated_at desc
     limit $1`,
    [options.limit],
  )
}
