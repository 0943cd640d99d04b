import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'

/** One row to insert, already validated. */
export interface NewJobRow {
  type: string
  queue: string
  payload: unknown
  priority: number
  maxAttempts: number
  runAt: Date | undefined
  idempotencyKey: string | undefined
}

/** What enqueueing one job gave: its id, and whether this call made the row. */
export interface EnqueueResult {
  id: string
  /** false when a job with the same idempotency key already existed; `id` is then that job's. */
  created: boolean
}

/**
 * Inserts many jobs in one statement (unnest of arrays, one round trip). A row whose idempotency key
 * already exists is not inserted; its existing id is returned with `created: false`.
 */
export async function insertJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  rows: readonly NewJobRow[],
): Promise<EnqueueResult[]> {
  if (rows.length === 0) return []
  // Rows come back in insertion order, which is the order of `ord`; they are matched back by key where
  // there is one and by position among the unkeyed rows otherwise.
  const inserted = await executor.query<{ id: string; idempotency_key: string | null }>(
    `insert into ${schema.jobs} (type, queue, payload, priority, max_attempts, scheduled_for, idempotency_key)
     select t.type, t.queue, t.payload, t.priority, t.max_attempts, coalesce(t.run_at, now()), t.key
     from unnest($1::text[], $2::text[], $3::jsonb[], $4::int[], $5::int[], $6::timestamptz[], $7::text[])
       with ordinality as t(type, queue, payload, priority, max_attempts, run_at, key, ord)
     order by t.ord
     on conflict (idempotency_key) where idempotency_key is not null do nothing
     returning id, idempotency_key`,
    [
      rows.map((row) => row.type),
      rows.map((row) => row.queue),
      rows.map((row) => JSON.stringify(row.payload ?? {})),
      rows.map((row) => row.priority),
      rows.map((row) => row.maxAttempts),
      rows.map((row) => row.runAt ?? null),
      rows.map((row) => row.idempotencyKey ?? null),
    ],
    { prepare: true },
  )
  const byKey = new Map<string, string>()
  const unkeyed: string[] = []
  for (const row of inserted) {
    if (row.idempotency_key === null) unkeyed.push(row.id)
    else byKey.set(row.idempotency_key, row.id)
  }
  const missing = rows.flatMap((row) =>
    row.idempotencyKey !== undefined && !byKey.has(row.idempotencyKey) ? [row.idempotencyKey] : [],
  )
  const existing = new Map<string, string>()
  if (missing.length > 0) {
    // The conflicting rows were committed by someone else; a new statement sees them.
    const found = await executor.query<{ id: string; idempotency_key: string }>(
      `select id, idempotency_key from ${schema.jobs} where idempotency_key = any($1::text[])`,
      [missing],
    )
    for (const row of found) existing.set(row.idempotency_key, row.id)
  }
  const seen = new Set<string>()
  let next = 0
  return rows.map((row) => {
    if (row.idempotencyKey === undefined) return { id: unkeyed[next++] as string, created: true }
    const key = row.idempotencyKey
    const made = byKey.get(key)
    // The same key twice in one batch: the first made the row, the second found it.
    if (made !== undefined && !seen.has(key)) {
      seen.add(key)
      return { id: made, created: true }
    }
    const id = made ?? existing.get(key)
    if (id === undefined)
      throw new Error(`idempotency key ${JSON.stringify(key)} was neither inserted nor found`)
    return { id, created: false }
  })
}
