import type { ClaimedJob } from '../queue/claim-jobs.js'
import type { ProgressReporter } from './progress-reporter.js'

/**
 * One run of a claimed job inside a `JobRunner`: the job, how the run is interrupted, and where its
 * outcome stands. The run is the runner's only per-job record (it is what the running set, the batch of
 * pending completions and the lease heartbeat hold), so a job costs one object here, not several.
 *
 * Its `AbortSignal` is made only when the handler reads `ctx.signal`: most handlers never do, and an
 * AbortController is a measurable share of a no-op job's cost.
 */
export class JobRun {
  readonly job: ClaimedJob
  /** When the run began (`performance.now()`), for the duration its events and log lines report. */
  readonly startedAt = performance.now()
  /** Set once the handler's outcome is known (returned, threw, timed out or was interrupted). */
  handlerFinished = false
  /** The handler's result as JSON text, once it completed. */
  result: string | null = null
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  /** Writes `ctx.progress`; made on the first report. */
  progress: ProgressReporter | undefined = undefined
  /**
   * Where `ctx.transaction` stands: `open` while it runs, `committing` from its fence (the completion's
   * UPDATE, which found the job ours) until the COMMIT answers, `committed` once the run's completion
   * committed with its writes (the runner writes no second completion), `lost` when its fence found
   * the job held by no run of ours (the runner writes nothing more for the run).
   */
  transaction: 'none' | 'open' | 'committing' | 'committed' | 'lost' = 'none'
  readonly #onAbort: (run: JobRun, reason: unknown) => void
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown

  /** `onAbort` is called on the first abort, whether or not the signal was ever made. */
  constructor(job: ClaimedJob, onAbort: (run: JobRun, reason: unknown) => void) {
    this.job = job
    this.#onAbort = onAbort
  }

  /** The job's id, as the row has it. */
  get id(): string {
    return this.job.id
  }

  /** The run number (`runs`) this run's claim wrote: its token, by which every write of the run is fenced. */
  get token(): string {
    return this.job.run
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** Whether the run was interrupted (timeout, hard stop, lost lease). */
  get aborted(): boolean {
    return this.#aborted
  }

  /** The reason given to the first `abort`. */
  get abortReason(): unknown {
    return this.#reason
  }

  /**
   * Ends `committing`: the COMMIT answered (`committed`) or the transaction failed (`none`). An abort
   * that came while the COMMIT was on its way (the runner does not decide a run's outcome then) is
   * told to `onAbort` now, when the outcome is known.
   */
  transactionSettled(state: 'committed' | 'none'): void {
    const held = this.transaction === 'committing' && this.#aborted
    this.transaction = state
    if (held) this.#onAbort(this, this.#reason)
  }

  /** Interrupts the run: a timeout, a hard stop, a lost lease. Only the first call counts. */
  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
    this.#onAbort(this, reason)
  }
}
