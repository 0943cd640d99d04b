import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { type EnqueueResult, insertJobs, type NewJobRow } from './insert-jobs.js'

/**
 * What an enqueue does when a job of the same name already has its idempotency key:
 * - `keep` (the default): nothing; it returns that job, whatever its status, until it is purged. Once
 *   per key.
 * - `reuse-finished`: a job still pending or running is returned as it is; a finished one (completed,
 *   failed or cancelled) gives up its key and a new job is enqueued under it (pg-boss' singleton keys).
 * - `replace`: a pending job that has not started takes the new input, `runAt`, priority and max
 *   attempts (a debounce: graphile-worker's `replace` job key mode); a running or finished one gives up
 *   its key and a new job is enqueued under it.
 *
 * A job that gives up its key keeps it with `#<its id>` appended, so its history still shows it.
 * Schedule slots are not enqueued through this: a slot runs once whatever the mode.
 */
export type KeyConflictMode = 'keep' | 'reuse-finished' | 'replace'

/** The modes `onKeyConflict` accepts. */
export const keyConflictModes: readonly KeyConflictMode[] = ['keep', 'reuse-finished', 'replace']

/**
 * Enqueues a keyed job under `reuse-finished` or `replace` (see `KeyConflictMode`), in one transaction
 * that holds a transaction-level advisory lock on the key, so two such enqueues of one key never both
 * make a job (it works through a transaction-mode pooler). `replaced` is true when a pending job took the
 * new values.
 *
 * @example
 * await enqueueWithKeyMode(executor, schema, row, 'replace') // debounce: the latest input wins
 */
export async function enqueueWithKeyMode(
  executor: SqlExecutor,
  schema: SchemaName,
  row: NewJobRow & { idempotencyKey: string },
  mode: Exclude<KeyConflictMode, 'keep'>,
): Promise<EnqueueResult> {
  return executor.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `nightshift:${schema.name}:${row.type}:${row.idempotencyKey}`,
    ])
    const [existing] = await tx.query<{ id: string; status: string }>(
      `select id, status from ${schema.jobs} where type = $1 and idempotency_key = $2 for update`,
      [row.type, row.idempotencyKey],
    )
    if (existing === undefined) return (await insertJobs(tx, schema, [row]))[0] as EnqueueResult
    if (existing.status === 'pending' && mode === 'replace') {
      await tx.query(
        `update ${schema.jobs}
         set payload = $2, queue = $3, priority = $4, max_attempts = $5, scheduled_for = coalesce($6, now()),
             updated_at = now()
         where id = $1`,
        [
          existing.id,
          JSON.stringify(row.payload ?? {}),
          row.queue,
          row.priority,
          row.maxAttempts,
          row.runAt ?? null,
        ],
      )
      return { id: existing.id, created: false, replaced: true }
    }
    const live = existing.status === 'pending' || existing.status === 'processing'
    if (live && mode === 'reuse-finished') return { id: existing.id, created: false }
    await tx.query(`update ${schema.jobs} set idempotency_key = idempotency_key || '#' || id where id = $1`, [
      existing.id,
    ])
    return (await insertJobs(tx, schema, [row]))[0] as EnqueueResult
  })
}
