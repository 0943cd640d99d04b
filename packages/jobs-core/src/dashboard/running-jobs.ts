import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'

/** One running job, as the dashboard lists it. */
export interface RunningJob {
  id: string
  name: string
  attempts: number
  maxAttempts: number
  /** When its run started (its claim). */
  startedAt: Date | null
  /** What its handler last reported with `ctx.progress`, or null. */
  progress: unknown
}

/**
 * The jobs running now, longest-running first, read through `jobs_lease_idx` (processing rows only).
 * Payloads and results are never read.
 *
 * @example
 * const running = await runningJobs(executor, schema, { limit: 20 })
 */
export async function runningJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  options: { limit: number },
): Promise<RunningJob[]> {
  return executor.query<RunningJob>(
    `select id::text as id, type as name, attempts, max_attempts as "maxAttempts", started_at as "startedAt", progress
     from ${schema.jobs} where status = 'processing'
     order by started_at nulls last, id
     limit $1`,
    [options.limit],
  )
}
