import type { SchemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

/** A finished run to record. */
export interface Completion {
  id: string
  /** The attempt number the run's claim wrote: a newer run of the same job is never touched. */
  attempt: number
  /** The handler's result as JSON text, or null when it returned nothing. */
  result: string | null
}

/**
 * Marks jobs completed with their results, in one statement however many there are. Only runs this
 * worker still holds are touched (same worker, same attempt): a run whose lease expired and whose job
 * was claimed again must not overwrite the newer run. Returns the ids it completed.
 */
export async function completeJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  completions: readonly Completion[],
): Promise<string[]> {
  if (completions.length === 1) {
    const [only] = completions as [Completion]
    const rows = await executor.query<{ id: string }>(
      `update ${schema.jobs}
       set status = 'completed', result = $3::jsonb, completed_at = now(), updated_at = now(),
           locked_by = null, locked_until = null, error_message = null
       where id = $1 and attempts = $4 and locked_by = $2 and status = 'processing'
       returning id`,
      [only.id, workerId, only.result, only.attempt],
    )
    return rows.map((row) => row.id)
  }
  const rows = await executor.query<{ id: string }>(
    `update ${schema.jobs} as j
     set status = 'completed', result = t.result, completed_at = now(), updated_at = now(),
         locked_by = null, locked_until = null, error_message = null
     from unnest($1::bigint[], $3::jsonb[], $4::int[]) as t(id, result, attempt)
     where j.id = t.id and j.attempts = t.attempt and j.locked_by = $2 and j.status = 'processing'
     returning j.id`,
    [
      completions.map((completion) => completion.id),
      workerId,
      completions.map((completion) => completion.result),
      completions.map((completion) => completion.attempt),
    ],
  )
  return rows.map((row) => row.id)
}
