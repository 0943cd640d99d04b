import type { SchemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

/** A job a worker holds a lease on. */
export interface ClaimedJob {
  id: string
  type: string
  payload: unknown
  /** This run's attempt number, 1 on the first run. */
  attempts: number
  max_attempts: number
  /** `<job>@<slot>` for a schedule's slot (`#forced-…` when forced); the handler learns its slot from it. */
  idempotency_key: string | null
}

/**
 * One run of one job: the row and the attempt number its claim wrote. Every write a run makes matches
 * both, so a run whose lease expired and whose job was claimed again (by another worker, or by this
 * one after a database outage) can no longer complete, fail, release or extend the newer run's job.
 */
export interface HeldJob {
  id: string
  attempt: number
}

/** A run as text, `<id>:<attempt>`: the key under which a worker tracks it. */
export function runKey(run: HeldJob): string {
  return `${run.id}:${run.attempt}`
}

/** The run a claimed job stands for. */
export function heldJob(job: ClaimedJob): HeldJob {
  return { id: job.id, attempt: job.attempts }
}

export interface ClaimOptions {
  workerId: string
  limit: number
  leaseMs: number
  /** Only jobs of these names (the worker's registered jobs). */
  names: readonly string[]
  /** Only these queues; all when undefined. */
  queues: readonly string[] | undefined
}

/**
 * The claim's SQL in two parts, so that it can run alone (`claimJobs`) or ride in the statement that
 * records completions (`completeAndClaimJobs`): `next` picks the rows, `update` leases them. Its
 * placeholders are `$1`–`$4` (and `$5` with queues); further values go after `values`.
 */
export function claimParts(
  schema: SchemaName,
  options: ClaimOptions,
): { next: string; update: string; values: unknown[] } {
  const queueFilter = options.queues === undefined ? '' : 'and queue = any($5::text[])'
  const values: unknown[] = [options.limit, options.workerId, options.leaseMs, options.names]
  if (options.queues !== undefined) values.push(options.queues)
  return {
    next: `select id from ${schema.jobs}
       where status = 'pending' and scheduled_for <= now() and type = any($4::text[]) ${queueFilter}
       order by priority desc, scheduled_for, id
       limit $1
       for update skip locked`,
    update: `update ${schema.jobs} as j
     set status = 'processing', attempts = j.attempts + 1, locked_by = $2,
         locked_until = now() + $3 * interval '1 millisecond', started_at = now(), updated_at = now()
     where j.id = any(array(select id from next))
     returning j.id, j.type, j.payload, j.attempts, j.max_attempts, j.idempotency_key`,
    values,
  }
}

/**
 * Claims up to `limit` due jobs in one statement: highest priority first, then the oldest due. The
 * inner select walks the partial index `jobs_claim_idx` in its own order and stops at `limit`, so the
 * cost does not grow with a backlog of future or finished jobs, whatever the planner's statistics say.
 * SKIP LOCKED lets concurrent claimers take disjoint rows without waiting on each other; the lease is
 * taken in the same statement, so no claimed job is ever without one.
 */
export async function claimJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  options: ClaimOptions,
): Promise<ClaimedJob[]> {
  const { next, update, values } = claimParts(schema, options)
  const r = await executor.query<ClaimedJob>(`with next as (${next}) ${update}`, values, { prepare: true })
  return r
}
