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
 * The completion's SQL: marks the given runs completed with their results, touching only runs this
 * worker still holds (same worker, same attempt), so a run whose lease expired and whose job was
 * claimed again never overwrites the newer run. Placeholders start after `offset` values.
 */
export function completionPart(
  schema: SchemaName,
  workerId: string,
  completions: readonly Completion[],
  offset = 0,
): { update: string; values: unknown[] } {
  const [ids, worker, results, attempts] = [1, 2, 3, 4].map((n) => `$${n + offset}`)
  // Each row finds its own result and attempt by its position in the id array: no join, so no plan
  // (generic or custom, fresh or stale statistics) can turn a batch into a nested loop over the batch.
  const position = `array_position(${ids}::bigint[], d.id)`
  return {
    update: `update ${schema.jobs} as d
     set status = 'completed', result = (${results}::jsonb[])[${position}], completed_at = now(),
         updated_at = now(), locked_by = null, locked_until = null, error_message = null
     where d.id = any(${ids}::bigint[]) and d.locked_by = ${worker} and d.attempts = (${attempts}::int[])[${position}]
     returning d.id`,
    values: [
      completions.map((completion) => completion.id),
      workerId,
      completions.map((completion) => completion.result),
      completions.map((completion) => completion.attempt),
    ],
  }
}

/** Marks runs completed with their results, in one statement however many. Returns the ids completed. */
export async function completeJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  completions: readonly Completion[],
): Promise<string[]> {
  const { update, values } = completionPart(schema, workerId, completions)
  const rows = await executor.query<{ id: string }>(update, values, { prepare: true })
  return rows.map((row) => row.id)
}
