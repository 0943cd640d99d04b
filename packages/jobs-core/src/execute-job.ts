import type { ClaimedJob } from './claim-jobs.js'
import type { AnyJobDefinition, JobContext } from './define-job.js'
import { messageOf } from './errors.js'
import { JobCancelError, JobFailError, JobSnoozeError } from './job-control.js'
import type { Logger } from './logger.js'
import type { RunAbort } from './run-abort.js'
import { slotOfKey } from './slot-key.js'

/** How one run ended, before it is recorded. */
export type RunOutcome =
  | { kind: 'completed'; result: string | null }
  /** The handler threw or timed out: retry while attempts remain. */
  | { kind: 'errored'; message: string }
  /** Cannot succeed by retrying: a payload that no longer parses, a job this process does not know. */
  | { kind: 'invalid'; message: string }
  /** The handler said retrying cannot help (`JobFailError`): `failed` now, whatever attempts remain. */
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'snoozed'; delayMs: number; message: string }
  /** The worker stopped before the handler finished; the job goes back without using an attempt. */
  | { kind: 'interrupted' }

/** Raised through `ctx.signal` when the job ran longer than its `timeoutMs`. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError'
}

export interface ExecuteOptions {
  definition: AnyJobDefinition | undefined
  job: ClaimedJob
  /** Aborted by the worker to interrupt the handler (a hard stop), and here at the timeout. */
  abort: RunAbort
  logger: Logger
  heartbeat: () => Promise<void>
}

function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ')
}

/**
 * Runs a claimed job's handler and says how it ended; it never throws. The payload is validated again
 * before the run, since the schema may have changed since the job was enqueued.
 */
export async function executeJob(options: ExecuteOptions): Promise<RunOutcome> {
  const { definition, job, abort } = options
  if (!definition)
    return { kind: 'invalid', message: `no job named "${job.type}" is defined in this process` }
  const parsed = definition.input.safeParse(job.payload)
  if (!parsed.success) {
    return {
      kind: 'invalid',
      message: `payload does not match the input schema of "${job.type}": ${formatIssues(parsed.error.issues)}`,
    }
  }
  const ctx: JobContext = {
    jobId: job.id,
    name: job.type,
    attempt: job.attempts,
    maxAttempts: job.max_attempts,
    get signal() {
      return abort.signal
    },
    logger: options.logger,
    heartbeat: options.heartbeat,
    ...slotOfKey(job.type, job.idempotency_key),
  }
  // Settles with the handler's outcome, or earlier when the handler must be given up on: at its
  // timeout, or when the worker interrupts it. A handler that ignores its signal is left behind; its
  // result is then never recorded.
  return new Promise<RunOutcome>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (outcome: RunOutcome) => {
      if (timer !== undefined) clearTimeout(timer)
      resolve(outcome)
    }
    abort.onAbort((reason) =>
      finish(
        reason instanceof JobTimeoutError
          ? { kind: 'errored', message: reason.message }
          : { kind: 'interrupted' },
      ),
    )
    if (definition.timeoutMs !== undefined) {
      const ms = definition.timeoutMs
      timer = setTimeout(() => abort.abort(new JobTimeoutError(`timed out after ${ms} ms`)), ms)
    }
    void runHandler(definition, parsed.data, ctx).then(finish)
  })
}

/** Runs the handler and turns what it returned or threw into an outcome; it never rejects. */
async function runHandler(
  definition: AnyJobDefinition,
  input: Parameters<AnyJobDefinition['run']>[0],
  ctx: JobContext,
): Promise<RunOutcome> {
  try {
    const value = await definition.run(input, ctx)
    try {
      return { kind: 'completed', result: value === undefined ? null : JSON.stringify(value) }
    } catch (error) {
      return { kind: 'errored', message: `the handler's result is not JSON: ${messageOf(error)}` }
    }
  } catch (error) {
    if (error instanceof JobCancelError) return { kind: 'cancelled', message: error.message || 'cancelled' }
    if (error instanceof JobFailError) return { kind: 'failed', message: error.message || 'failed' }
    if (error instanceof JobSnoozeError)
      return { kind: 'snoozed', delayMs: error.delayMs, message: error.message }
    return { kind: 'errored', message: messageOf(error) }
  }
}
