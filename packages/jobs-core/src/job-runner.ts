import { backoffDelayMs } from './backoff.js'
import { type ClaimedJob, type ClaimOptions, type HeldJob, heldJob, runKey } from './claim-jobs.js'
import { completeAndClaimJobs } from './complete-and-claim-jobs.js'
import { type Completion, completeJobs } from './complete-jobs.js'
import type { AnyJobDefinition } from './define-job.js'
import { messageOf } from './errors.js'
import { executeJob, type RunOutcome } from './execute-job.js'
import { extendLeases } from './extend-leases.js'
import { failJob } from './fail-job.js'
import type { Logger } from './logger.js'
import { releaseJobs } from './release-jobs.js'
import { RunAbort } from './run-abort.js'
import type { SchemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

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

export interface JobRunnerOptions {
  executor: SqlExecutor
  schema: SchemaName
  workerId: string
  definitions: ReadonlyMap<string, AnyJobDefinition>
  leaseMs: number
  logger: Logger
  /**
   * Record completions that finish while an earlier completion is being written together in one
   * statement. Nothing waits for a batch to fill; a job counts as done only once its row says so.
   */
  batchCompletions: boolean
  onSettled?: (job: SettledJob) => void
  /**
   * Keeps a worker's slots full: the statement that records finished runs also claims the next jobs.
   * `claim(finished)` says what to claim (undefined: nothing, e.g. while stopping); `take` gets the
   * claimed jobs before the finished runs leave, so the worker never sees a free slot in between.
   */
  refill?: {
    claim(finished: number): ClaimOptions | undefined
    take(jobs: ClaimedJob[]): void
  }
}

interface Running {
  job: ClaimedJob
  held: HeldJob
  abort: RunAbort
  done: Promise<SettledJob>
}

/**
 * Runs claimed jobs and records how each ended. It holds the leases of the jobs in flight and extends
 * them all in one statement every third of the lease, so a handler that outlives `leaseMs` keeps its job.
 */
export class JobRunner {
  readonly counts = emptyCounts()
  readonly #options: JobRunnerOptions
  // Keyed by run (`<id>:<attempt>`): after an outage longer than the lease, this process may hold a
  // newer run of a job whose older run is still finishing here.
  readonly #running = new Map<string, Running>()
  #heartbeat: ReturnType<typeof setInterval> | undefined
  #pendingCompletions: {
    completion: Completion
    resolve: (done: boolean) => void
    reject: (e: unknown) => void
  }[] = []
  #flushing = false
  readonly #idle = new Set<() => void>()
  #executing = 0
  readonly #handlerDone = new Set<() => void>()

  constructor(options: JobRunnerOptions) {
    this.#options = options
  }

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

  /** Starts a claimed job; the returned promise settles once its outcome is recorded (never rejects). */
  start(job: ClaimedJob): Promise<SettledJob> {
    this.counts.claimed++
    const abort = new RunAbort()
    const held = heldJob(job)
    const key = runKey(held)
    const done = this.#run(job, abort).finally(() => {
      this.#running.delete(key)
      if (this.#running.size === 0) {
        this.#stopHeartbeat()
        for (const resolve of this.#idle) resolve()
        this.#idle.clear()
      }
    })
    this.#running.set(key, { job, held, abort, done })
    this.#startHeartbeat()
    return done
  }

  /** Settles when a running job finishes, or at once when none runs. */
  whenAnyDone(): Promise<unknown> {
    if (this.#running.size === 0) return Promise.resolve()
    return Promise.race([...this.#running.values()].map((running) => running.done))
  }

  /** Settles when no job runs. */
  whenIdle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.add(resolve))
  }

  /** Interrupts every running handler through its signal; their jobs go back to `pending`. */
  interruptAll(reason: string): void {
    for (const running of this.#running.values()) running.abort.abort(new Error(reason))
  }

  async #run(job: ClaimedJob, abort: RunAbort): Promise<SettledJob> {
    const { definitions, logger } = this.#options
    const definition = definitions.get(job.type)
    this.#executing++
    let outcome: RunOutcome
    try {
      outcome = await executeJob({
        definition,
        job,
        abort,
        logger,
        heartbeat: () => this.#extend([heldJob(job)]).then(() => {}),
      })
    } finally {
      this.#executing--
      for (const resolve of this.#handlerDone) resolve()
      this.#handlerDone.clear()
    }
    try {
      return await this.#record(job, definition, outcome)
    } catch (error) {
      // The row stays `processing`; its lease expires and the job runs again. Nothing is lost.
      logger.error('nightshift: could not record a job outcome', { jobId: job.id, error: messageOf(error) })
      return { id: job.id, name: job.type, outcome: outcome.kind, status: undefined, error: messageOf(error) }
    }
  }

  async #record(
    job: ClaimedJob,
    definition: AnyJobDefinition | undefined,
    outcome: RunOutcome,
  ): Promise<SettledJob> {
    const { executor, schema, workerId } = this.#options
    const settled = (status: SettledJob['status'], error?: string): SettledJob => {
      const result: SettledJob = { id: job.id, name: job.type, outcome: outcome.kind, status }
      if (error !== undefined) result.error = error
      this.#options.onSettled?.(result)
      return result
    }
    const held = heldJob(job)
    const info = { ...held, workerId, errorMessage: '' }
    switch (outcome.kind) {
      case 'completed': {
        const done = await this.#complete({ ...held, result: outcome.result })
        if (done) this.counts.completed++
        return settled(done ? 'completed' : undefined)
      }
      case 'errored': {
        const delayMs = backoffDelayMs(job.attempts, definition?.backoff)
        const status = await failJob(
          executor,
          schema,
          { ...info, errorMessage: outcome.message },
          { kind: 'retry', delayMs },
        )
        if (status === 'pending') this.counts.retried++
        if (status === 'failed') this.counts.failed++
        return settled(status, outcome.message)
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
        return settled(status, outcome.message)
      }
      case 'snoozed': {
        const ids = await releaseJobs(executor, schema, workerId, [held], {
          delayMs: outcome.delayMs,
          message: null,
        })
        if (ids.length > 0) this.counts.snoozed++
        return settled(ids.length > 0 ? 'pending' : undefined)
      }
      case 'interrupted': {
        const ids = await releaseJobs(executor, schema, workerId, [held], {
          delayMs: 0,
          message: null,
        })
        if (ids.length > 0) this.counts.released++
        return settled(ids.length > 0 ? 'pending' : undefined)
      }
    }
  }

  /**
   * Records completions, claiming the next jobs in the same statement when the worker wants them.
   * Returns the `runKey`s of the runs completed.
   */
  async #recordCompletions(completions: Completion[]): Promise<Set<string>> {
    const { executor, schema, workerId, refill } = this.#options
    const claim = refill?.claim(completions.length)
    if (!refill || !claim || claim.limit < 1) {
      return new Set((await completeJobs(executor, schema, workerId, completions)).map(runKey))
    }
    const { completed, claimed } = await completeAndClaimJobs(executor, schema, workerId, completions, claim)
    if (claimed.length > 0) refill.take(claimed)
    return new Set(completed)
  }

  #complete(completion: Completion): Promise<boolean> {
    if (!this.#options.batchCompletions) {
      return this.#recordCompletions([completion]).then((runs) => runs.has(runKey(completion)))
    }
    return new Promise((resolve, reject) => {
      this.#pendingCompletions.push({ completion, resolve, reject })
      void this.#flush()
    })
  }

  // One statement at a time; what finishes meanwhile goes into the next statement.
  async #flush(): Promise<void> {
    if (this.#flushing) return
    this.#flushing = true
    try {
      while (this.#pendingCompletions.length > 0) {
        const batch = this.#pendingCompletions
        this.#pendingCompletions = []
        try {
          const runs = await this.#recordCompletions(batch.map((entry) => entry.completion))
          for (const entry of batch) entry.resolve(runs.has(runKey(entry.completion)))
        } catch (error) {
          for (const entry of batch) entry.reject(error)
        }
      }
    } finally {
      this.#flushing = false
    }
  }

  async #extend(held: HeldJob[]): Promise<HeldJob[]> {
    const { executor, schema, workerId, leaseMs } = this.#options
    return extendLeases(executor, schema, workerId, held, leaseMs)
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return
    this.#heartbeat = setInterval(
      () => {
        const runs = [...this.#running.entries()]
        this.#extend(runs.map(([, running]) => running.held)).then(
          (stillHeld) => {
            const kept = new Set(stillHeld.map(runKey))
            for (const [key, { held }] of runs) {
              const running = this.#running.get(key)
              if (running && !kept.has(key)) {
                // Cancelled, or reclaimed by another worker after our lease expired: stop the handler
                // so the job's effects do not run twice at once.
                this.#options.logger.warn('nightshift: lost the lease of a running job', {
                  jobId: held.id,
                  attempt: held.attempt,
                })
                running.abort.abort(new Error('the job is no longer held by this worker'))
              }
            }
          },
          (error) => this.#options.logger.error('nightshift: heartbeat failed', { error: messageOf(error) }),
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
