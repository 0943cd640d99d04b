import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { AnyJobDefinition } from '../define-job.js'
import { messageOf } from '../errors.js'
import type { JobEventJob, JobEvents } from '../job-events.js'
import type { Logger } from '../logger.js'
import { type ClaimedJob, type ClaimOptions, type HeldJob, runKey } from '../queue/claim-jobs.js'
import { extendLeases } from '../queue/extend-leases.js'
import { failJob } from '../queue/fail-job.js'
import { releaseJobs } from '../queue/release-jobs.js'
import { backoffDelayMs } from './backoff.js'
import { Completer } from './completer.js'
import { executeJob, JobTimeoutError, type RunOutcome } from './execute-job.js'
import { JobRun } from './job-run.js'
import { ProgressReporter } from './progress-reporter.js'
import { jobFields, reportRunEnd, runEventJob } from './report-run-end.js'

/** What happened to the jobs a run of `process()` or a worker took. */
export interface RunCounts {
  claimed: number
  completed: number
  /** Failed runs that will be tried again. */
  retried: number
  /** Runs that left their job `failed`: attempts exhausted, or a payload that no longer parses. */
  failed: number
  cancelled: number
  snoozed: number
  /** Jobs handed back unfinished because the worker stopped. */
  released: number
}

export function emptyCounts(): RunCounts {
  return { claimed: 0, completed: 0, retried: 0, failed: 0, cancelled: 0, snoozed: 0, released: 0 }
}

/** How a job's run was recorded. */
export interface SettledJob {
  id: string
  name: string
  outcome: RunOutcome['kind']
  /** The status written, or undefined when the job was no longer ours to write (lease lost). */
  status: 'completed' | 'pending' | 'failed' | 'cancelled' | undefined
  error?: string
}

/**
 * What every way of running jobs (worker, `process()`, `trigger`) hands its runner: the queue's
 * database and schema, the job definitions, the lease, the logger and the id runs are leased under.
 */
export interface RunnerContext {
  executor: SqlExecutor
  schema: SchemaName
  workerId: string
  definitions: ReadonlyMap<string, AnyJobDefinition>
  leaseMs: number
  logger: Logger
  /** Where each run's start and outcome are told (`jobs.on(...)`). */
  events: JobEvents
  /** Wraps each handler run (`createJobs({ aroundRun })`), e.g. in a tracing span. */
  aroundRun?: AroundRun | undefined
}

/**
 * Wraps every handler run, from the worker, `process()` and `trigger` alike: call `run()` once and
 * return (or throw) what it does. Code that runs around it sees the handler's async context, so a
 * tracing span started here is the parent of the spans the handler makes.
 *
 * @example
 * createJobs({
 *   db, jobs,
 *   aroundRun: (job, run) => tracer.startActiveSpan(`job ${job.name}`, (span) => run().finally(() => span.end())),
 * })
 */
export type AroundRun = (job: JobEventJob, run: () => Promise<unknown>) => Promise<unknown>

export interface JobRunnerOptions extends RunnerContext {
  /**
   * Record completions that finish while an earlier completion is being written together in one
   * statement. Nothing waits for a batch to fill; a job counts as done only once its row says so.
   */
  batchCompletions: boolean
  /**
   * Keeps a worker's slots full: the statement that records finished runs also claims the next jobs.
   * `claim(finished)` says what to claim (undefined: nothing, e.g. while stopping); `take` gets the
   * claimed jobs (and the limit asked: fewer means no due job is left) before the finished runs
   * leave, so the worker never sees a free slot in between; `failed` is told the limit of a claim whose
   * statement failed (it claimed nothing).
   */
  refill?: {
    claim(finished: number): ClaimOptions | undefined
    take(jobs: ClaimedJob[], limit: number): void
    failed?(limit: number): void
  }
}

/**
 * Runs claimed jobs and records how each ended (completions through its `Completer`). It holds the
 * leases of the jobs in flight and extends them all in one statement every third of the lease, so a
 * handler that outlives `leaseMs` keeps its job; a run whose lease or token is gone is aborted through
 * its signal, and its writes, fenced on its token, change nothing.
 *
 * A job costs one `JobRun` and one async frame here: the run is what the running set, the batch of
 * pending completions and the heartbeat hold, and a completion settles its run directly when its
 * statement returns (no promise per completion). At tens of thousands of jobs a second, per-job objects
 * and promises are most of the worker's own CPU time (bench/RESULTS.md).
 */
export class JobRunner {
  readonly counts = emptyCounts()
  readonly #options: JobRunnerOptions
  // After an outage longer than the lease, this process may hold a newer run of a job whose older run
  // is still finishing here: runs, not jobs, are what is held.
  readonly #running = new Set<JobRun>()
  // Callers waiting for one particular run to be recorded (`run()`).
  readonly #waiting = new Map<JobRun, (settled: SettledJob) => void>()
  #heartbeat: ReturnType<typeof setInterval> | undefined
  readonly #completer: Completer
  readonly #idle = new Set<() => void>()
  readonly #anyDone = new Set<() => void>()
  #executing = 0
  readonly #handlerDone = new Set<() => void>()
  readonly #onAbort = (run: JobRun, reason: unknown) => {
    // While its COMMIT is on its way the run may already be completed: `transactionSettled` tells the
    // abort again once the answer says which.
    if (run.handlerFinished || run.transaction === 'committing') return
    this.#handlerFinished(
      run,
      reason instanceof JobTimeoutError
        ? { kind: 'errored', message: reason.message }
        : { kind: 'interrupted' },
    )
  }

  constructor(options: JobRunnerOptions) {
    this.#options = options
    this.#completer = new Completer({
      executor: options.executor,
      schema: options.schema,
      workerId: options.workerId,
      batch: options.batchCompletions,
      refill: options.refill,
      listener: {
        completed: (run, held) => {
          if (held) this.counts.completed++
          this.#settle(run, 'completed', held ? 'completed' : undefined)
        },
        refused: (run, status, message) => {
          this.#options.logger.error('nightshift: a job result cannot be stored; the job failed', {
            ...jobFields(run),
            error: message,
          })
          if (status === 'failed') this.counts.failed++
          this.#settle(run, 'failed', status, message, { logged: true })
        },
        notRecorded: (run, error) => this.#notRecorded(run, error),
      },
    })
  }

  /** Runs held: handlers running, and runs whose outcome is still being recorded. */
  get size(): number {
    return this.#running.size
  }

  /** Handlers running now; `size` also counts jobs whose outcome is still being recorded. */
  get executing(): number {
    return this.#executing
  }

  /** Settles when a handler finishes (its outcome may still be being recorded), or at once when none runs. */
  whenAnyHandlerDone(): Promise<void> {
    if (this.#executing === 0) return Promise.resolve()
    return new Promise((resolve) => this.#handlerDone.add(resolve))
  }

  /** Starts a claimed job. Its outcome is recorded in the background; `counts` says how it went. */
  start(job: ClaimedJob): void {
    this.#begin(job)
  }

  /** Starts a claimed job and settles once its outcome is recorded (never rejects). */
  run(job: ClaimedJob): Promise<SettledJob> {
    return new Promise((resolve) => this.#waiting.set(this.#begin(job), resolve))
  }

  /** Settles when a run is recorded, or at once when none runs. */
  whenAnyDone(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#anyDone.add(resolve))
  }

  /** Settles when no job runs. */
  whenIdle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.add(resolve))
  }

  /** Interrupts every running handler through its signal; their jobs go back to `pending`. */
  interruptAll(reason: string): void {
    for (const run of this.#running) run.abort(new Error(reason))
  }

  #begin(job: ClaimedJob): JobRun {
    this.counts.claimed++
    const run = new JobRun(job, this.#onAbort)
    const { events } = this.#options
    if (events.has('job:start')) events.emit('job:start', runEventJob(run, this.#options.workerId))
    this.#running.add(run)
    this.#startHeartbeat()
    this.#executing++
    void this.#execute(run)
    return run
  }

  async #execute(run: JobRun): Promise<void> {
    const { definitions, logger } = this.#options
    const outcome = await executeJob(
      run,
      definitions.get(run.job.type),
      logger,
      () =>
        this.#extend([run]).then((held) => {
          if (held.length === 0) this.#lost(run)
        }),
      this.#options,
      this.#options.aroundRun === undefined
        ? undefined
        : { around: this.#options.aroundRun, job: runEventJob(run, this.#options.workerId) },
      (value) => {
        run.progress ??= new ProgressReporter(this.#options, run, () => this.#lost(run))
        return run.progress.report(value)
      },
    )
    // Ignored when the run was aborted first: a timeout or interruption already decided its outcome.
    if (!run.handlerFinished) this.#handlerFinished(run, outcome)
  }

  #handlerFinished(run: JobRun, outcome: RunOutcome): void {
    run.handlerFinished = true
    if (run.timer !== undefined) clearTimeout(run.timer)
    this.#executing--
    for (const resolve of this.#handlerDone) resolve()
    this.#handlerDone.clear()
    if (run.transaction === 'committed') {
      // ctx.transaction completed the job in the same commit as the handler's writes: nothing to write,
      // whatever the handler did afterwards.
      this.counts.completed++
      this.#settle(run, 'completed', 'completed')
      return
    }
    if (run.transaction === 'lost') {
      // Its fence found another run (or none) holding the job: the run writes nothing more.
      this.#settle(run, outcome.kind, undefined, 'the job is no longer held by this run')
      return
    }
    if (outcome.kind === 'completed') {
      run.result = outcome.result
      this.#completer.add(run)
      return
    }
    this.#recordOther(run, outcome).then(
      ({ status, error, retryInMs }) => this.#settle(run, outcome.kind, status, error, { retryInMs }),
      (error) => this.#notRecorded(run, error, outcome.kind),
    )
  }

  // The row stays `processing`; its lease expires and the job runs again. Nothing is lost.
  #notRecorded(run: JobRun, error: unknown, outcome: RunOutcome['kind'] = 'completed'): void {
    this.#options.logger.error(
      'nightshift: could not record a job outcome; the job runs again once its lease expires',
      {
        ...jobFields(run),
        error: messageOf(error),
      },
    )
    this.#settle(run, outcome, undefined, messageOf(error), { logged: true })
  }

  #settle(
    run: JobRun,
    outcome: RunOutcome['kind'],
    status: SettledJob['status'],
    error?: string,
    report: { retryInMs?: number | undefined; logged?: boolean } = {},
  ): void {
    reportRunEnd(this.#options, run, outcome, status, error, report)
    this.#running.delete(run)
    const waiting = this.#waiting.get(run)
    if (waiting) {
      this.#waiting.delete(run)
      const settled: SettledJob = { id: run.id, name: run.job.type, outcome, status }
      if (error !== undefined) settled.error = error
      waiting(settled)
    }
    for (const resolve of this.#anyDone) resolve()
    this.#anyDone.clear()
    if (this.#running.size === 0) {
      this.#stopHeartbeat()
      for (const resolve of this.#idle) resolve()
      this.#idle.clear()
    }
  }

  /** Records an outcome other than completion; says the status written (undefined: no longer held). */
  async #recordOther(
    run: JobRun,
    outcome: Exclude<RunOutcome, { kind: 'completed' }>,
  ): Promise<{ status: SettledJob['status']; error?: string; retryInMs?: number }> {
    const { executor, schema, workerId, definitions } = this.#options
    const info = { id: run.id, token: run.token, workerId, errorMessage: '' }
    switch (outcome.kind) {
      case 'errored': {
        const delayMs = backoffDelayMs(run.job.attempts, definitions.get(run.job.type)?.backoff)
        const status = await failJob(
          executor,
          schema,
          { ...info, errorMessage: outcome.message },
          { kind: 'retry', delayMs },
        )
        if (status === 'pending') this.counts.retried++
        if (status === 'failed') this.counts.failed++
        return { status, error: outcome.message, retryInMs: delayMs }
      }
      case 'invalid':
      case 'failed':
      case 'cancelled': {
        const final = outcome.kind === 'cancelled' ? 'cancelled' : 'failed'
        const status = await failJob(
          executor,
          schema,
          { ...info, errorMessage: outcome.message },
          { kind: 'final', status: final },
        )
        if (status === 'failed') this.counts.failed++
        if (status === 'cancelled') this.counts.cancelled++
        return { status, error: outcome.message }
      }
      case 'snoozed':
      case 'interrupted': {
        const snoozed = outcome.kind === 'snoozed'
        const ids = await releaseJobs(executor, schema, workerId, [run], {
          delayMs: snoozed ? outcome.delayMs : 0,
          message: null,
          transition: snoozed ? 'snooze' : 'release',
        })
        if (ids.length > 0) {
          if (snoozed) this.counts.snoozed++
          else this.counts.released++
        }
        return { status: ids.length > 0 ? 'pending' : undefined }
      }
    }
  }

  // Cancelled (perhaps retried and claimed again), or reclaimed after our lease expired: stop the
  // handler so the job's effects do not run twice at once. Its writes miss the row's new token anyway.
  #lost(run: JobRun): void {
    if (!this.#running.has(run) || run.handlerFinished) return
    // Past its ctx.transaction's fence, the row reads done because the run's own completion committed
    // (or is committing, under the fence's lock): nothing else can hold the job.
    if (run.transaction === 'committing' || run.transaction === 'committed') return
    this.#options.logger.warn('nightshift: lost the lease of a running job; stopping its handler', {
      ...jobFields(run),
      run: run.token,
    })
    run.abort(new Error('the job is no longer held by this worker'))
  }

  async #extend(held: HeldJob[]): Promise<HeldJob[]> {
    const { executor, schema, workerId, leaseMs } = this.#options
    return extendLeases(executor, schema, workerId, held, leaseMs)
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return
    this.#heartbeat = setInterval(
      () => {
        const runs = [...this.#running]
        // The runs themselves are the held jobs (`id`, `token`): no copy per run and beat.
        this.#extend(runs).then(
          (stillHeld) => {
            const kept = new Set(stillHeld.map(runKey))
            for (const run of runs) if (!kept.has(runKey(run))) this.#lost(run)
          },
          (error) => {
            this.#options.logger.error('nightshift: heartbeat failed', { error: messageOf(error) })
            this.#options.events.emit('worker:error', { message: 'heartbeat failed', error })
          },
        )
      },
      Math.max(50, Math.floor(this.#options.leaseMs / 3)),
    )
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat === undefined) return
    clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
  }
}
