import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { NightshiftError } from '../errors.js'
import { attemptsAfter, type JobStatus } from './transitions.js'

export type { JobStatus } from './transitions.js'

async function statusOf(executor: SqlExecutor, schema: SchemaName, id: string): Promise<JobStatus> {
  const rows = await executor.query<{ status: JobStatus }>(
    `select status from ${schema.jobs} where id = $1`,
    [id],
  )
  const row = rows[0]
  if (!row) throw new NightshiftError('job_not_found', `no job with id ${id}`)
  return row.status
}

/**
 * Puts a `failed` or `cancelled` job back to `pending`, due now, with a fresh set of attempts
 * (transition `manualRetry`). Runs are fenced on their token, which the next claim renews, so a run of
 * the job that is still finishing somewhere cannot write to the new one. Throws `job_not_found` for an
 * unknown id and `invalid_option` for a job in another status.
 */
export async function retryJob(executor: SqlExecutor, schema: SchemaName, id: string): Promise<void> {
  const rows = await executor.query(
    `update ${schema.jobs}
     set status = 'pending', attempts = ${attemptsAfter('manualRetry', 'attempts')}, scheduled_for = now(), updated_at = now(), completed_at = null
     where id = $1 and status in ('failed', 'cancelled')
     returning id`,
    [id],
  )
  if (rows.length === 0) {
    const status = await statusOf(executor, schema, id)
    throw new NightshiftError(
      'invalid_option',
      `job ${id} is ${status}; only failed or cancelled jobs can be retried`,
    )
  }
}

/**
 * Cancels a `pending` or `processing` job (transition `cancel`). The lock is cleared, so a handler
 * already running is interrupted through its signal at its worker's next heartbeat, and nothing it
 * writes is recorded; the job is not retried. Returns false when the job had already ended.
 */
export async function cancelJob(executor: SqlExecutor, schema: SchemaName, id: string): Promise<boolean> {
  const rows = await executor.query(
    `update ${schema.jobs}
     set status = 'cancelled', locked_by = null, locked_until = null, updated_at = now(),
         error_message = coalesce(error_message, 'cancelled')
     where id = $1 and status in ('pending', 'processing')
     returning id`,
    [id],
  )
  if (rows.length > 0) return true
  await statusOf(executor, schema, id)
  return false
}

/**
 * Deletes finished jobs last updated before `before` (transition `purge`). Failed jobs are kept unless asked for: they are
 * the dead-letter set someone may still want to retry. Returns how many rows it deleted.
 */
export async function purgeJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  before: Date,
  statuses: readonly ('completed' | 'failed' | 'cancelled')[],
): Promise<number> {
  const rows = await executor.query<{ count: number }>(
    `with gone as (
       delete from ${schema.jobs}
       where status = any($2::text[]) and status in ('completed', 'failed', 'cancelled') and updated_at < $1
       returning 1
     )
     select count(*)::int as count from gone`,
    [before, statuses],
  )
  return rows[0]?.count ?? 0
}
