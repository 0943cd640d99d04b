import { NightshiftError } from '../errors.js'
import type { TriggerResult } from '../http/handler-routes.js'
import { claimJobById } from '../queue/claim-job-by-id.js'
import { getJob, type JobRecord } from '../queue/get-job.js'
import { insertJobs, type NewJobRow } from '../queue/insert-jobs.js'
import { JobRunner, type RunnerContext } from '../worker/job-runner.js'
import { awaitJobOutcome } from './await-job-outcome.js'
import { enqueueSlots, type SlotJob } from './enqueue-slots.js'
import { latestSlot } from './schedule-slots.js'
import { forcedSlotKey, slotKey } from './slot-key.js'

/**
 * Options of `jobs.trigger`.
 *
 * @example
 * await jobs.trigger('nightly-report', {}, { force: true, waitMs: 20_000 })
 */
export interface TriggerOptions {
  /** Run again on purpose: a new job with key `<job>@<slot>#forced-<uuid>`, whatever ran before. */
  force?: boolean
  /**
   * How long to wait for the handler, or for the run of the slot's job that someone else started; past
   * it the answer is `running` and the job finishes in the background. Default 50,000 ms.
   */
  waitMs?: number
  /** The time the slot is worked out from. Default the current time. */
  now?: Date
  /** For an unscheduled job: an idempotency key for the job this trigger makes. */
  idempotencyKey?: string
}

export interface TriggerDependencies extends RunnerContext {
  toRow(name: string, input: unknown, options: { idempotencyKey?: string }): NewJobRow | Promise<NewJobRow>
  /** Told of a runner whose job outlives `waitMs`, so `close()` can stop it. */
  track(runner: JobRunner): void
}

function answer(job: JobRecord | undefined, base: Omit<TriggerResult, 'status'>): TriggerResult {
  if (!job) return { ...base, status: 'failed', error: 'the job no longer exists (purged?)' }
  switch (job.status) {
    case 'completed':
      return { ...base, status: 'already-done', result: job.result }
    case 'processing':
      return { ...base, status: 'running' }
    case 'failed':
    case 'cancelled':
      return { ...base, status: 'failed', error: job.errorMessage ?? job.status }
    case 'pending':
      // Waiting for its retry after a failed attempt, or not yet due.
      return job.errorMessage !== null
        ? { ...base, status: 'retrying', error: job.errorMessage }
        : { ...base, status: 'running' }
  }
}

/**
 * Runs a job now, safely repeatable: what an HTTP call or a "Run workflow" button does. A scheduled
 * job maps `now` to its current slot (the latest slot at or before it) and enqueues that slot with key
 * `<job>@<slot ISO>` once, ever (a kept slot record, which purging jobs never deletes, says whether it
 * was enqueued before); only the caller that claims the slot's job runs it, within `waitMs`. Anyone else
 * runs nothing: it waits (within `waitMs`) for that run and gets `already-done` with its result (or
 * `retrying`, `failed`, or `running` when the wait runs out); a slot whose job was purged is `already-done`. An
 * unscheduled job gets a fresh job each time.
 */
export async function triggerJob(
  deps: TriggerDependencies,
  name: string,
  input: unknown,
  options: TriggerOptions = {},
): Promise<TriggerResult> {
  const definition = deps.definitions.get(name)
  const force = options.force === true
  const waitMs = options.waitMs ?? 50_000
  if (!Number.isFinite(waitMs) || waitMs < 0) {
    throw new NightshiftError('invalid_option', `waitMs must be 0 or more milliseconds, got ${waitMs}`)
  }
  const deadline = Date.now() + waitMs
  const now = options.now ?? new Date()
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new NightshiftError('invalid_option', 'now must be a valid Date')
  }
  const schedule = definition?.schedule
  const slot = schedule ? (latestSlot(schedule, now) ?? null) : null
  let idempotencyKey: string | undefined
  if (force) idempotencyKey = forcedSlotKey(name, slot)
  else if (slot) idempotencyKey = slotKey(name, slot)
  else idempotencyKey = options.idempotencyKey
  // Validates the name (unknown_job) and the input (invalid_input) before anything is written.
  const row = await deps.toRow(name, input, { idempotencyKey })
  let jobId: string
  if (slot && !force) {
    // The slot's kept record decides, not its job row: a slot whose job was purged stays done.
    const [opened] = await deps.executor.transaction((tx) =>
      enqueueSlots(tx, deps.schema, name, [slot], () => row),
    )
    const { jobId: id, purged } = opened as SlotJob
    if (purged) return { jobId: id, slot: slot.toISOString(), forced: false, status: 'already-done' }
    jobId = id
  } else {
    const [enqueued] = await insertJobs(deps.executor, deps.schema, [row])
    jobId = (enqueued as { id: string }).id
  }
  const base = { jobId, slot: slot ? slot.toISOString() : null, forced: force }
  const claimed = await claimJobById(deps.executor, deps.schema, {
    id: jobId,
    type: name,
    workerId: deps.workerId,
    leaseMs: deps.leaseMs,
  })
  // Someone else holds the slot's job (a worker, the ticker's catch-up, another trigger): wait for
  // that run's outcome within the same `waitMs`, as for a run of our own.
  if (!claimed) return answer(await awaitJobOutcome(deps.executor, deps.schema, jobId, deadline), base)
  // The whole runner context, `aroundRun` included: a triggered run is wrapped like any other.
  const runner = new JobRunner({ ...deps, batchCompletions: false })
  const done = runner.run(claimed)
  let timer: ReturnType<typeof setTimeout> | undefined
  const settled = await Promise.race([
    done,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()))
    }),
  ]).finally(() => clearTimeout(timer))
  if (!settled) {
    deps.track(runner)
    return { ...base, status: 'running' }
  }
  if (settled.status === 'completed') {
    const job = await getJob(deps.executor, deps.schema, jobId)
    return { ...base, status: 'completed', result: job?.result }
  }
  if (settled.status === undefined) return { ...base, status: 'running' }
  if (settled.status === 'pending' && settled.outcome !== 'errored') return { ...base, status: 'running' }
  const status = settled.status === 'pending' ? 'retrying' : 'failed'
  return { ...base, status, error: settled.error ?? settled.status }
}
