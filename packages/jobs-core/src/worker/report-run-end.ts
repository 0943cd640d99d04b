import type { JobEndEvent, JobEventJob } from '../job-events.js'
import type { RunOutcome } from './execute-job.js'
import type { JobRun } from './job-run.js'
import type { RunnerContext, SettledJob } from './job-runner.js'

/** A run's job as log fields: its name, id and attempt. */
export function jobFields(run: JobRun): Record<string, unknown> {
  return { job: run.job.type, jobId: run.id, attempt: run.job.attempts, maxAttempts: run.job.max_attempts }
}

/** A run's job as the events tell it. */
export function runEventJob(run: JobRun, workerId: string): JobEventJob {
  const { job } = run
  return { jobId: job.id, name: job.type, attempt: job.attempts, maxAttempts: job.max_attempts, workerId }
}

function endEvent(run: JobRun, workerId: string): JobEndEvent {
  return { ...runEventJob(run, workerId), durationMs: Math.round(performance.now() - run.startedAt) }
}

/**
 * Logs how a run ended (every failed attempt, final failure, cancel, hand-back and lost run; not each
 * completion) and tells the listeners (`jobs.on`). A completion with no `job:success` listener costs
 * nothing here. `logged`: the runner already logged this outcome where it happened.
 *
 * @example
 * reportRunEnd(context, run, 'errored', 'pending', 'upstream 503', { retryInMs: 4000 })
 */
export function reportRunEnd(
  context: Pick<RunnerContext, 'logger' | 'events' | 'workerId'>,
  run: JobRun,
  outcome: RunOutcome['kind'],
  status: SettledJob['status'],
  error: string | undefined,
  report: { retryInMs?: number | undefined; logged?: boolean },
): void {
  const { logger, events, workerId } = context
  if (status === 'completed') {
    if (events.has('job:success')) events.emit('job:success', endEvent(run, workerId))
    return
  }
  const ended = endEvent(run, workerId)
  const fields = { ...jobFields(run), durationMs: ended.durationMs }
  const message = error ?? ''
  if (status === 'pending' && outcome === 'errored') {
    const retryInMs = report.retryInMs ?? 0
    logger.warn('nightshift: a job attempt failed; it will be retried', {
      ...fields,
      retryInMs,
      error: message,
    })
    events.emit('job:retry', { ...ended, error: message, retryInMs })
  } else if (status === 'pending') {
    logger.info(
      outcome === 'snoozed'
        ? 'nightshift: a job snoozed'
        : 'nightshift: a running job was handed back unfinished (the worker stopped)',
      fields,
    )
    events.emit('job:released', ended)
  } else if (status === 'failed') {
    if (!report.logged) logger.error('nightshift: a job failed for good', { ...fields, error: message })
    events.emit('job:failed', { ...ended, error: message })
  } else if (status === 'cancelled') {
    logger.info('nightshift: a job cancelled itself', { ...fields, error: message })
    events.emit('job:cancelled', { ...ended, error: message })
  } else {
    // Lost. A run the heartbeat found lost was logged then (the runner's `#lost`); one whose
    // ctx.transaction found its fence gone was only aborted.
    if (!report.logged && (!run.aborted || run.transaction === 'lost'))
      logger.warn('nightshift: a run no longer held its job and recorded nothing', {
        ...fields,
        error: message,
      })
    events.emit('job:lost', { ...ended, error: message || 'the job is no longer held by this run' })
  }
}
