import type { SchemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

/**
 * Extends the leases of jobs this worker holds (the heartbeat), in one statement for all of them.
 * Returns the ids still held; a job missing from it was lost (its lease expired and it was reclaimed).
 */
export async function extendLeases(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  ids: readonly string[],
  leaseMs: number,
): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await executor.query<{ id: string }>(
    `update ${schema.jobs}
     set locked_until = now() + $3 * interval '1 millisecond', updated_at = now()
     where id = any($1::bigint[]) and locked_by = $2 and status = 'processing'
     returning id`,
    [ids, workerId, leaseMs],
  )
  return rows.map((row) => row.id)
}
