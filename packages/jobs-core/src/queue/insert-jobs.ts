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
  /** false when a job of the same name with the same idempotency key already existed; `id` is then that job's. */
  created: boolean
  /** With `onKeyConflict: 'replace'`: true when that existing, pending job took the new input and options. */
  replaced?: boolean
}

/** A key as the unique index sees it: scoped to its job name. */
function scopedKey(type: string, key: string): string {
  return JSON.stringify([type, key])
}

/**
 * Inserts many jobs in one statement (unnest of arrays, one round trip). A row whose idempotency key
 * already exists for the same job name is not inserted; its existing id is returned with `created: false`.
 */
export async function insertJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  rows: readonly NewJobRow[],
): Promise<EnqueueResult[]> {
  if (rows.length === 0) return []
  // Rows come back in insertion order, which is the order of `ord`; they are matched back by job name
  // and key where there is a key (keys are unique per job name, migration 0008) and by position among
  // the unkeyed rows otherwise.
  const inserted = await executor.query<{ id: string; type: string; idempotency_key: string | null }>(
    `insert into ${schema.jobs} (type, queue, payload, priority, max_attempts, scheduled_for, idempotency_key)
     select t.type, t.queue, t.payload, t.priority, t.max_attempts, coalesce(t.run_at, now()), t.key
     from unnest($1::text[], $2::text[], $3::jsonb[], $4::int[], $5::int[], $6::timestamptz[], $7::text[])
       with ordinality as t(type, queue, payload, priority, max_attempts, run_at, key, ord)
     order by t.ord
     on conflict (type, idempotency_key) where idempotency_key is not null do nothing
     returning id, type, idempotency_key`,
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
    else byKey.set(scopedKey(row.type, row.idempotency_key), row.id)
  }
  const missing = rows.filter(
    (row) => row.idempotencyKey !== undefined && !byKey.has(scopedKey(row.type, row.idempotencyKey)),
  )
  const existing = new Map<string, string>()
  if (missing.length > 0) {
    // The conflicting rows were committed by someone else; a new statement sees them.
    const found = await executor.query<{ id: string; type: string; idempotency_key: string }>(
      `select j.id, j.type, j.idempotency_key
       from ${schema.jobs} j
       join unnest($1::text[], $2::text[]) as m(type, key) on j.type = m.type and j.idempotency_key = m.key
       where j.idempotency_key is not null`,
      [missing.map((row) => row.type), missing.map((row) => row.idempotencyKey)],
    )
    for (const row of found) existing.set(scopedKey(row.type, row.idempotency_key), row.id)
  }
  const seen = new Set<string>()
  let next = 0
  return rows.map((row) => {
    if (row.idempotencyKey === undefined) return { id: unkeyed[next++] as string, created: true }
    const key = scopedKey(row.type, row.idempotencyKey)
    const made = byKey.get(key)
    // The same key twice in one batch: the first made the row, the second found it.
    if (made !== undefined && !seen.has(key)) {
      seen.add(key)
      return { id: made, created: true }
    }
    const id = made ?? existing.get(key)
    if (id === undefined)
      throw new Error(
        `idempotency key ${JSON.stringify(row.idempotencyKey)} of job "${row.type}" was neither inserted nor found`,
      )
    return { id, created: false }
  })
}
