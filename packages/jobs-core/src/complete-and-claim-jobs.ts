import { type ClaimedJob, type ClaimOptions, claimParts } from './claim-jobs.js'
import { type Completion, completionPart } from './complete-jobs.js'
import type { SchemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

/**
 * Records finished runs and claims the next jobs in one statement (one round trip, one commit): a
 * worker with a steady queue replaces each finished job without a second trip to the database. Each
 * completion is durable when the statement returns, as with `completeJobs`; the claim follows
 * `claimJobs`' order and lease. `completed` lists the runs completed as `runKey`s. The completed rows are `processing` until the statement ends, so the
 * claim never takes them.
 */
export async function completeAndClaimJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  completions: readonly Completion[],
  claim: ClaimOptions,
): Promise<{ completed: string[]; claimed: ClaimedJob[] }> {
  const { next, update: lease, values } = claimParts(schema, claim)
  const { update: complete, values: completionValues } = completionPart(
    schema,
    workerId,
    completions,
    values.length,
  )
  const rows = await executor.query<ClaimedJob & { completed: string[] }>(
    `with done as (${complete}),
     next as (${next}),
     claimed as (${lease})
     select (select coalesce(array_agg(done.id::text || ':' || done.attempt), '{}') from done) as completed, claimed.*
     from (select 1) as one left join claimed on true`,
    [...values, ...completionValues],
    { prepare: true },
  )
  const claimed = rows.flatMap(({ completed: _completed, ...job }) => (job.id === null ? [] : [job]))
  return { completed: rows[0]?.completed ?? [], claimed }
}
