import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { HeldJob } from './claim-jobs.js'
import { storableText } from './storable-text.js'
import { heldRun } from './transitions.js'

/** How a failed run ends. */
export type FailureOutcome =
  /** Transition `failAndRetry`: try again after `delayMs`, unless this was the last attempt. */
  | { kind: 'retry'; delayMs: number }
  /**
   * Transition `failFinal`: stop now, `failed` (bad payload, an unstorable result) or `cancelled`
   * (the handler said so), whatever attempts remain.
   */
  | { kind: 'final'; status: 'failed' | 'cancelled' }

/**
 * Records a failed run in one statement: back to `pending` after a delay while attempts remain, else
 * `failed` with the error kept (the dead-letter set). The lease is released in the same statement, or
 * a crash between the two would leave the job locked. The message is made storable (`storableText`).
 * Returns the status written, or undefined when this worker no longer held this run (same token, lock
 * held).
 */
export async function failJob(
  executor: SqlExecutor,
  schema: SchemaName,
  job: HeldJob & { workerId: string; errorMessage: string },
  outcome: FailureOutcome,
): Promise<'pending' | 'failed' | 'cancelled' | undefined> {
  const status =
    outcome.kind === 'final'
      ? `'${outcome.status}'`
      : `case when attempts >= max_attempts then 'failed' else 'pending' end`
  const delayMs = outcome.kind === 'retry' ? outcome.delayMs : 0
  const rows = await executor.query<{ status: 'pending' | 'failed' | 'cancelled' }>(
    `update ${schema.jobs}
     set status = ${status}, error_message = $3, locked_by = null, locked_until = null, updated_at = now(),
         scheduled_for = case when ${status} = 'pending' then now() + $4 * interval '1 millisecond' else scheduled_for end
     where id = $1 and ${heldRun('', '$5::bigint', '$2')}
     returning status`,
    [job.id, job.workerId, storableText(job.errorMessage), delayMs, job.token],
    { prepare: true },
  )
  return rows[0]?.status
}
