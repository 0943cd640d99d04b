import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { HeldJob } from './claim-jobs.js'
import { heldRun } from './transitions.js'

/** A finished run to record. */
export interface Completion {
  id: string
  /** The run's token (its number, `runs`) its claim wrote: a newer run of the same job is never touched. */
  token: string
  /** The handler's result as JSON text, or null when it returned nothing. */
  result: string | null
}

/**
 * The completion's SQL (transition `complete`): marks the given runs completed with their results,
 * touching only runs this worker still holds (same run token, lock held), so a run whose lease expired
 * or whose job was cancelled and claimed again never overwrites the newer run. Placeholders start after
 * `offset` values. Returns `id` and `token` of each run completed.
 */
export function completionPart(
  schema: SchemaName,
  workerId: string,
  completions: readonly Completion[],
  offset = 0,
): { update: string; values: unknown[] } {
  const [ids, worker, results, tokens] = [1, 2, 3, 4].map((n) => `$${n + offset}`) as [
    string,
    string,
    string,
    string,
  ]
  const runs = latestRunPerJob(completions)
  const set = `status = 'completed', completed_at = now(), updated_at = now(), locked_by = null,
         locked_until = null, error_message = null`
  const returning = 'returning d.id, d.runs as token'
  const [only] = runs
  if (runs.length === 1 && only !== undefined) {
    // One run (a worker completing each job on its own, or a quiet moment): scalar values, so the
    // prepared statement gets a generic plan like any other. With arrays, PostgreSQL costs the generic
    // plan for ten ids, so a custom plan for one always looks cheaper and the statement was planned on
    // every run.
    return {
      update: `update ${schema.jobs} as d set ${set}, result = ${results}::jsonb
       where d.id = ${ids}::bigint and ${heldRun('d.', `${tokens}::bigint`, worker)}
       ${returning}`,
      values: [only.id, workerId, only.result, only.token],
    }
  }
  // Rows are reached through the primary key (`id = any`), and each finds its result and token by a
  // binary search of the sorted ids (`width_bucket`): no join, so no plan (custom or generic, fresh or
  // stale statistics) can turn a batch into a nested loop over the batch, and no linear search per row.
  const position = `width_bucket(d.id, ${ids}::bigint[])`
  return {
    update: `update ${schema.jobs} as d set ${set}, result = (${results}::jsonb[])[${position}]
     where d.id = any(${ids}::bigint[]) and ${heldRun('d.', `(${tokens}::bigint[])[${position}]`, worker)}
     ${returning}`,
    values: [
      runs.map((completion) => completion.id),
      workerId,
      runs.map((completion) => completion.result),
      runs.map((completion) => completion.token),
    ],
  }
}

/**
 * The batch sorted by id (what `width_bucket` searches), one run per job: when an old run that lost
 * its lease finishes in the same batch as the newer run of its job, only the newer can still hold it,
 * and a job's runs are numbered in claim order, so the newer run has the larger token.
 */
function latestRunPerJob(completions: readonly Completion[]): Completion[] {
  const byId = new Map<string, Completion>()
  for (const completion of completions) {
    const seen = byId.get(completion.id)
    if (seen === undefined || compareDecimal(seen.token, completion.token) < 0)
      byId.set(completion.id, completion)
  }
  return [...byId.values()].sort((a, b) => compareDecimal(a.id, b.id))
}

// Ids and tokens are positive integers as decimal text: a shorter one is smaller.
function compareDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/**
 * Marks runs completed with their results, in one statement however many. Returns the runs completed.
 * One value the database refuses (a result with `\u0000`, SQLSTATE class 22) fails the whole
 * statement and writes nothing; the completer then records the runs one by one.
 */
export async function completeJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  completions: readonly Completion[],
): Promise<HeldJob[]> {
  const { update, values } = completionPart(schema, workerId, completions)
  return executor.query<HeldJob>(update, values, { prepare: true })
}
