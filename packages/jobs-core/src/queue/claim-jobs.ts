import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { attemptsAfter, runsAfterClaim } from './transitions.js'

/** A job a worker holds a lease on. */
export interface ClaimedJob {
  id: string
  type: string
  payload: unknown
  /** This run's attempt number, 1 on the first run (for the retry policy; it can repeat after `retry()`). */
  attempts: number
  /**
   * This run's number among the job's runs (`runs` after the claim; decimal text): its token. No other
   * run of the job shares it, whatever `retry()` or a hand-back did to `attempts`; every write of the
   * run is fenced on it.
   */
  run: string
  max_attempts: number
  /** `<job>@<slot>` for a schedule's slot (`#forced-…` when forced); the handler learns its slot from it. */
  idempotency_key: string | null
}

/**
 * One run of one job: the row and the run token (its number, `runs`) its claim wrote. Every write a run makes
 * matches both (`heldRun` in transitions.ts), so a run whose lease expired or whose job was cancelled
 * and claimed again (by another worker, or by this one) can no longer complete, fail, release or
 * extend the newer run's job. The token never repeats, unlike the attempt number that `retry()` resets.
 */
export interface HeldJob {
  id: string
  /** The run's token (its number, `runs`), as decimal text. */
  token: string
}

/** A run as text, `<id>:<token>`: the key under which a worker tracks it. */
export function runKey(run: HeldJob): string {
  return `${run.id}:${run.token}`
}

/** The run a claimed job stands for. */
export function heldJob(job: ClaimedJob): HeldJob {
  return { id: job.id, token: job.run }
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
 * placeholders are `$1`–`$3` (and `$4` with queues); further values go after `values`.
 *
 * The limit is written into the text, not passed as a value: with `limit $1` PostgreSQL costs a
 * generic plan as if a tenth of all pending rows were read, so a prepared claim was planned afresh on
 * every run (a fifth of the database's CPU time with small batches). With the number in the text, a
 * prepared claim gets its generic plan after five runs, like every other hot statement.
 */
export function claimParts(
  schema: SchemaName,
  options: ClaimOptions,
): { next: string; update: string; values: unknown[] } {
  const { limit } = options
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError(`claim limit must be 1 or more, got ${limit}`)
  const queueFilter = options.queues === undefined ? '' : 'and queue = any($4::text[])'
  const values: unknown[] = [options.workerId, options.leaseMs, options.names]
  if (options.queues !== undefined) values.push(options.queues)
  return {
    next: `select id from ${schema.jobs}
       where status = 'pending' and scheduled_for <= now() and type = any($3::text[]) ${queueFilter}
       order by priority desc, scheduled_for, id
       limit ${limit}
       for update skip locked`,
    update: `update ${schema.jobs} as j
     set status = 'processing', attempts = ${attemptsAfter('claim', 'j.attempts')},
         runs = ${runsAfterClaim('j.')}, locked_by = $1,
         locked_until = now() + $2 * interval '1 millisecond', started_at = now(), updated_at = now()
     where j.id = any(array(select id from next))
     returning j.id, j.type, j.payload, j.attempts, j.runs as run, j.max_attempts, j.idempotency_key`,
    values,
  }
}

/**
 * Whether to prepare a claim of `limit` rows: each limit is its own statement text, so only the small
 * ones, which repeat and whose planning is a large share of their cost, are prepared; a large claim's
 * planning is spread over its rows.
 */
export function prepareClaimOf(limit: number): boolean {
  return limit <= 64
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
  return executor.query<ClaimedJob>(`with next as (${next}) ${update}`, values, {
    prepare: prepareClaimOf(options.limit),
  })
}
