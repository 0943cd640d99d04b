import type { AnyJobDefinition, JobContext } from '../define-job.js'
import { messageOf } from '../errors.js'
import { checkInput, type InputCheck } from '../input-schema.js'
import type { JobEventJob } from '../job-events.js'
import { bindLogger, type Logger } from '../logger.js'
import { slotOfKey } from '../schedules/slot-key.js'
import { JobCancelError, JobFailError, JobSnoozeError } from './job-control.js'
import type { JobRun } from './job-run.js'
import type { AroundRun } from './job-runner.js'
import { type JobTransactionDependencies, runJobTransaction } from './job-transaction.js'

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

const noSlot = { slot: null, forced: false } as const

/**
 * Runs a claimed job's handler and says how it ended; it never throws. The payload is validated again
 * before the run, since the schema may have changed since the job was enqueued. The handler gets
 * `run.signal`; at the definition's `timeoutMs` the run is aborted with a `JobTimeoutError`. This
 * settles when the handler does: the runner hears of an abort through the run itself and does not wait
 * for a handler that ignores its signal.
 */
export function executeJob(
  run: JobRun,
  definition: AnyJobDefinition | undefined,
  logger: Logger,
  heartbeat: () => Promise<void>,
  transactions: JobTransactionDependencies,
  wrap: { around: AroundRun; job: JobEventJob } | undefined,
  progress: (value: unknown) => Promise<void>,
): Promise<RunOutcome> {
  // Not async itself: the one async frame per run is the handler's (`runHandler`), so a run costs one
  // promise here, not two chained.
  const job = run.job
  if (!definition)
    return Promise.resolve({
      kind: 'invalid',
      message: `no job named "${job.type}" is defined in this process`,
    })
  let checked: InputCheck<unknown> | Promise<InputCheck<unknown>>
  try {
    checked = checkInput(definition.input, job.payload)
  } catch (error) {
    // A schema whose own code (a refinement, a transform) throws: a failed attempt, as if the handler had.
    return Promise.resolve(schemaThrew(error))
  }
  if (checked instanceof Promise)
    return checked.then(
      (check) => startChecked(run, definition, check, logger, heartbeat, transactions, wrap, progress),
      schemaThrew,
    )
  return startChecked(run, definition, checked, logger, heartbeat, transactions, wrap, progress)
}

function schemaThrew(error: unknown): RunOutcome {
  return { kind: 'errored', message: messageOf(error) }
}

// The run once its payload was checked: refused, or handed to the handler.
function startChecked(
  run: JobRun,
  definition: AnyJobDefinition,
  parsed: InputCheck<unknown>,
  logger: Logger,
  heartbeat: () => Promise<void>,
  transactions: JobTransactionDependencies,
  wrap: { around: AroundRun; job: JobEventJob } | undefined,
  progress: (value: unknown) => Promise<void>,
): Promise<RunOutcome> {
  const job = run.job
  if (!parsed.ok) {
    return Promise.resolve({
      kind: 'invalid',
      message: `payload does not match the input schema of "${job.type}": ${parsed.text}`,
    })
  }
  const { slot, forced } = job.idempotency_key === null ? noSlot : slotOfKey(job.type, job.idempotency_key)
  // Made on first use: most handlers never log.
  let jobLogger: Logger | undefined
  const ctx: JobContext = {
    jobId: job.id,
    name: job.type,
    attempt: job.attempts,
    maxAttempts: job.max_attempts,
    get signal() {
      return run.signal
    },
    get logger() {
      jobLogger ??= bindLogger(logger, { job: job.type, jobId: job.id, attempt: job.attempts })
      return jobLogger
    },
    heartbeat,
    progress,
    slot,
    forced,
    // One implementation behind both overloads: it hands `fn` a pg-style client or the Kysely transaction.
    transaction: ((
      fn: Parameters<typeof runJobTransaction>[2],
      options?: Parameters<typeof runJobTransaction>[3],
    ) => runJobTransaction(transactions, run, fn, options)) as JobContext['transaction'],
  }
  if (definition.timeoutMs !== undefined) {
    const ms = definition.timeoutMs
    run.timer = setTimeout(() => run.abort(new JobTimeoutError(`timed out after ${ms} ms`)), ms)
  }
  return runHandler(definition, parsed.value, ctx, wrap)
}

/** Runs the handler and turns what it returned or threw into an outcome; it never rejects. */
async function runHandler(
  definition: AnyJobDefinition,
  input: Parameters<AnyJobDefinition['run']>[0],
  ctx: JobContext,
  wrap: { around: AroundRun; job: JobEventJob } | undefined,
): Promise<RunOutcome> {
  try {
    const value =
      wrap === undefined
        ? await definition.run(input, ctx)
        : await wrap.around(wrap.job, async () => definition.run(input, ctx))
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
