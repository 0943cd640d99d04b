import { type ClaimedJob, type ClaimOptions, claimParts, type HeldJob, prepareClaimOf } from './claim-jobs.js'
import { type Completion, completionPart } from './complete-jobs.js'
import type { SchemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

/**
 * Records finished runs and claims the next jobs in one statement (one round trip, one commit): a
 * worker with a steady queue replaces each finished job without a second trip to the database. Each
 * completion is durable when the statement returns, as with `completeJobs`; the claim follows
 * `claimJobs`' order and lease. The completed rows are `processing` until the statement ends, so the
 * claim never takes them. `completed` lists the runs completed.
 */
export async function completeAndClaimJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  workerId: string,
  completions: readonly Completion[],
  claim: ClaimOptions,
): Promise<{ completed: HeldJob[]; claimed: ClaimedJob[] }> {
  const { next, update: lease, values } = claimParts(schema, claim)
  const { update: complete, values: completionValues } = completionPart(
    schema,
    workerId,
    completions,
    values.length,
  )
  const rows = await executor.query<ClaimedJob & { completed_ids: string[]; completed_attempts: number[] }>(
    `with done as (${complete}),
     next as (${next}),
     claimed as (${lease})
     select d.completed_ids, d.completed_attempts, claimed.*
     from (select coalesce(array_agg(done.id::text), '{}') as completed_ids,
                  coalesce(array_agg(done.attempt), '{}') as completed_attempts from done) as d
     left join claimed on true`,
    [...values, ...completionValues],
    { prepare: prepareClaimOf(claim.limit) },
  )
  const claimed = rows.flatMap(({ completed_ids: _ids, completed_attempts: _attempts, ...job }) =>
    job.id === null ? [] : [job],
  )
  const first = rows[0]
  const completed = (first?.completed_ids ?? []).map((id, i) => ({
    id,
    attempt: first?.completed_attempts[i] as number,
  }))
  return { completed, claimed }
}
