import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { NightshiftError } from '../errors.js'
import { filterConditions, type JobFilter } from './job-filter.js'
import { attemptsAfter } from './transitions.js'

// A bulk change with no condition at all is refused: `{}` would touch every job in the queue.
function conditionsOf(filter: JobFilter, params: unknown[], what: string): string[] {
  const conditions = filterConditions(filter, params)
  if (conditions.length === 0)
    throw new NightshiftError(
      'invalid_option',
      `${what} needs a filter (names, statuses, idempotencyKey, createdAfter or createdBefore); to act on every job, pass the statuses explicitly`,
    )
  return conditions
}

/**
 * Puts every `failed` or `cancelled` job matching the filter back to `pending`, due now, with fresh
 * attempts (transition `manualRetry`, as `retry(id)`). Jobs in other statuses are left alone. Returns
 * how many it retried.
 *
 * @example
 * await jobs.retryJobs({ names: ['send-whatsapp'], statuses: ['failed'], createdAfter: since })
 */
export async function retryJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  filter: JobFilter,
): Promise<number> {
  const params: unknown[] = []
  const conditions = conditionsOf(filter, params, 'retryJobs')
  const rows = await executor.query<{ count: number }>(
    `with retried as (
       update ${schema.jobs}
       set status = 'pending', attempts = ${attemptsAfter('manualRetry', 'attempts')}, scheduled_for = now(),
           updated_at = now(), completed_at = null
       where status in ('failed', 'cancelled') and ${conditions.join(' and ')}
       returning 1
     )
     select count(*)::int as count from retried`,
    params,
  )
  return rows[0]?.count ?? 0
}

/**
 * Cancels every `pending` or `processing` job matching the filter (transition `cancel`, as
 * `cancel(id)`): running handlers are interrupted at their next heartbeat and record nothing. Returns
 * how many it cancelled.
 *
 * @example
 * await jobs.cancelJobs({ names: ['create-zoom-meeting'], statuses: ['pending'] })
 */
export async function cancelJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  filter: JobFilter,
): Promise<number> {
  const params: unknown[] = []
  const conditions = conditionsOf(filter, params, 'cancelJobs')
  const rows = await executor.query<{ count: number }>(
    `with cancelled as (
       update ${schema.jobs}
       set status = 'cancelled', locked_by = null, locked_until = null, updated_at = now(),
           error_message = coalesce(error_message, 'cancelled')
       where status in ('pending', 'processing') and ${conditions.join(' and ')}
       returning 1
     )
     select count(*)::int as count from cancelled`,
    params,
  )
  return rows[0]?.count ?? 0
}
