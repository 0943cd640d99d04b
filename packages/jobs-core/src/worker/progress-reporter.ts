import { NightshiftError } from '../errors.js'
import { recordProgress } from '../queue/record-progress.js'
import type { JobRun } from './job-run.js'
import type { RunnerContext } from './job-runner.js'

/** The largest progress value stored, as JSON text: progress is a status line, not a result. */
export const maxProgressBytes = 16_384

interface Waiter {
  resolve(): void
  reject(error: unknown): void
}

/**
 * A run's `ctx.progress(value)`. One write is in flight at a time; values reported meanwhile collapse
 * into the latest, written next, so a handler may report on every item it handles without a write per
 * item. Each call settles once its value, or a later one, is stored. When the run no longer holds its
 * job, the call rejects with `lease_lost` and the run is aborted (as at a heartbeat); when the run's own
 * `ctx.transaction` completed the job first, it resolves, storing nothing (the job is done).
 *
 * @example
 * const reporter = new ProgressReporter(context, run, () => runner.lost(run))
 * await reporter.report({ sent: 40, of: 120 })
 */
export class ProgressReporter {
  readonly #context: RunnerContext
  readonly #run: JobRun
  readonly #lost: () => void
  #next: string | undefined
  #waiters: Waiter[] = []
  #writing = false

  constructor(context: RunnerContext, run: JobRun, lost: () => void) {
    this.#context = context
    this.#run = run
    this.#lost = lost
  }

  report(value: unknown): Promise<void> {
    let text: string | undefined
    try {
      text = JSON.stringify(value)
    } catch (error) {
      return Promise.reject(
        new NightshiftError('invalid_input', `ctx.progress needs a JSON value: ${(error as Error).message}`),
      )
    }
    if (text === undefined)
      return Promise.reject(
        new NightshiftError('invalid_input', 'ctx.progress needs a JSON value, got undefined'),
      )
    if (text.length > maxProgressBytes)
      return Promise.reject(
        new NightshiftError(
          'invalid_input',
          `ctx.progress value is ${text.length} characters as JSON; at most ${maxProgressBytes}`,
        ),
      )
    this.#next = text
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject })
      if (!this.#writing) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#writing = true
    const { executor, schema, workerId, leaseMs } = this.#context
    while (this.#next !== undefined) {
      const text = this.#next
      const waiters = this.#waiters
      this.#next = undefined
      this.#waiters = []
      try {
        const stored = await recordProgress(executor, schema, workerId, this.#run, text, leaseMs)
        const { transaction } = this.#run
        if (stored || transaction === 'committing' || transaction === 'committed') {
          for (const waiter of waiters) waiter.resolve()
        } else {
          this.#lost()
          const error = new NightshiftError(
            'lease_lost',
            'the job is no longer held by this run: its progress was not recorded',
          )
          for (const waiter of waiters) waiter.reject(error)
        }
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error)
      }
    }
    this.#writing = false
  }
}
