import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { type ClaimedJob, type ClaimOptions, claimParts, type HeldJob, prepareClaimOf } from './claim-jobs.js'
import { type Completion, completionPart } from './complete-jobs.js'

/**
 * Records finished runs and claims the next jobs in one statement (one round trip, one commit): a
 * worker with a steady queue replaces each finished job without a second trip to the database. Each
 * completion is durable when the statement returns, as with `completeJobs`; the claim follows
 * `claimJobs`' order and lease. The completed rows are `processing` until the statement ends, so the
 * claim never takes them. `completed` lists the runs completed.
 *
 * Both come back as rows of one shape: a claimed job, or a completed run (`type` null, which a job's
 * row never has). Each row carries only its own job: the completed runs once each, not repeated as
 * arrays on every claimed row, which made the client parse the whole batch once per row.
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
  const rows = await executor.query<ClaimedJob | (Pick<ClaimedJob, 'id' | 'run'> & { type: null })>(
    `with done as (${complete}),
     next as (${next}),
     claimed as (${lease})
     select id, null::text as type, null::jsonb as payload, null::int as attempts, token as run,
            null::int as max_attempts, null::text as idempotency_key
     from done
     union all
     select id, type, payload, attempts, run, max_attempts, idempotency_key from claimed`,
    [...values, ...completionValues],
    { prepare: prepareClaimOf(claim.limit) },
  )
  const completed: HeldJob[] = []
  const claimed: ClaimedJob[] = []
  for (const row of rows) {
    if (row.type === null) completed.push({ id: row.id, token: row.run })
    else claimed.push(row)
  }
  return { completed, claimed }
}
