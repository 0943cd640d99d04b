import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'

/** Jobs that ended in one minute. */
export interface FinishedMinute {
  /** The minute's start. */
  minute: Date
  completed: number
  failed: number
}

/**
 * Jobs completed and failed (for good) per minute over the last hour, one row per minute, oldest
 * first, always 60 rows. One statement; its filter repeats the predicate of `jobs_finished_idx` so it
 * reads the finished index by `updated_at` (a finished row's `updated_at` is when it ended) rather than
 * the table. Minutes are the database's, the clock `updated_at` was written with.
 */
export async function finishedPerMinute(
  executor: SqlExecutor,
  schema: SchemaName,
): Promise<FinishedMinute[]> {
  const rows = await executor.query<{
    minute: Date | string
    completed: number | string
    failed: number | string
  }>(
    `with minutes as (
       select generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()), interval '1 minute') as minute
     ), finished as (
       select date_trunc('minute', updated_at) as minute,
              count(*) filter (where status = 'completed')::int as completed,
              count(*) filter (where status = 'failed')::int as failed
       from ${schema.jobs}
       where status in ('completed', 'failed', 'cancelled')
         and updated_at >= date_trunc('minute', now()) - interval '59 minutes'
       group by 1
     )
     select minutes.minute, coalesce(finished.completed, 0) as completed, coalesce(finished.failed, 0) as failed
     from minutes left join finished using (minute)
     order by minutes.minute`,
  )
  // Drivers differ in how they hand back timestamps and integers; the chart wants Dates and numbers.
  return rows.map((row) => ({
    minute: new Date(row.minute),
    completed: Number(row.completed),
    failed: Number(row.failed),
  }))
}
