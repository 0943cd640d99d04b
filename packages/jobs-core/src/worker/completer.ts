import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { messageOf } from '../errors.js'
import type { ClaimedJob, ClaimOptions } from '../queue/claim-jobs.js'
import { completeAndClaimJobs } from '../queue/complete-and-claim-jobs.js'
import { completeJobs } from '../queue/complete-jobs.js'
import { failJob } from '../queue/fail-job.js'
import type { JobRun } from './job-run.js'

/** Where the completer reports how each run's completion was written. */
export interface CompletionListener {
  /** `held`: the row is now `completed`; otherwise the run no longer held its job and wrote nothing. */
  completed(run: JobRun, held: boolean): void
  /**
   * The database refused the run's result (`result cannot be stored: …`): the run was failed for good
   * (`status` 'failed'), or wrote nothing because it no longer held its job (`status` undefined).
   */
  refused(run: JobRun, status: 'failed' | undefined, message: string): void
  /** Nothing was written (the database could not be reached): the lease expires and the job runs again. */
  notRecorded(run: JobRun, error: unknown): void
}

export interface CompleterOptions {
  executor: SqlExecutor
  schema: SchemaName
  workerId: string
  /** Write completions that finish while an earlier write is in flight together, in one statement. */
  batch: boolean
  /** See `JobRunnerOptions.refill`: the statement that completes a batch also claims the next jobs. */
  refill:
    | {
        claim(finished: number): ClaimOptions | undefined
        take(jobs: ClaimedJob[], limit: number): void
        failed?(limit: number): void
      }
    | undefined
  listener: CompletionListener
}

/**
 * Writes completed runs (River's jobcompleter). Batched, one statement is in flight at a time and
 * whatever finishes meanwhile goes into the next; nothing waits for a batch to fill. Each completion
 * is fenced on its run's token.
 *
 * One value the database refuses must not cost the other runs of its batch: a result with `\u0000`
 * (jsonb, SQLSTATE 22P05) or a lone surrogate (22P02) fails the whole statement, which then writes
 * nothing. On any data exception (class 22) the batch is written again run by run, so every other run
 * is recorded exactly once and its handler never runs again; a run whose own completion is refused is
 * failed for good with `result cannot be stored: …` (retrying would run its effects again for a result
 * that still could not be stored). The result is never altered to make it fit.
 *
 * @example
 * const completer = new Completer({ executor, schema, workerId, batch: true, refill: undefined, listener })
 * completer.add(run) // run.result holds the handler's result as JSON text
 */
export class Completer {
  readonly #options: CompleterOptions
  #pending: JobRun[] = []
  #flushing = false

  constructor(options: CompleterOptions) {
    this.#options = options
  }

  /** Writes a run whose handler returned; the listener hears how it went. Never rejects. */
  add(run: JobRun): void {
    if (!this.#options.batch) {
      void this.#write([run])
      return
    }
    this.#pending.push(run)
    // A flush in progress takes this run in its next statement; calling it anyway makes a promise per job.
    if (!this.#flushing) void this.#flush()
  }

  // One statement at a time; what finishes meanwhile goes into the next statement.
  async #flush(): Promise<void> {
    this.#flushing = true
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending
        this.#pending = []
        await this.#write(batch)
      }
    } finally {
      this.#flushing = false
    }
  }

  async #write(batch: JobRun[]): Promise<void> {
    const { listener } = this.#options
    let done: Map<string, string>
    try {
      done = await this.#record(batch)
    } catch (error) {
      if (isDataException(error)) return this.#oneByOne(batch)
      for (const run of batch) listener.notRecorded(run, error)
      return
    }
    for (const run of batch) listener.completed(run, done.get(run.id) === run.token)
  }

  /**
   * Completes the runs, claiming the next jobs in the same statement when the worker wants them.
   * Returns the runs completed: each completed job's id and the run token completed.
   */
  async #record(runs: JobRun[]): Promise<Map<string, string>> {
    const { executor, schema, workerId, refill } = this.#options
    const claim = refill?.claim(runs.length)
    const done = new Map<string, string>()
    if (!refill || !claim || claim.limit < 1) {
      for (const row of await completeJobs(executor, schema, workerId, runs)) done.set(row.id, row.token)
      return done
    }
    let answer: Awaited<ReturnType<typeof completeAndClaimJobs>>
    try {
      answer = await completeAndClaimJobs(executor, schema, workerId, runs, claim)
    } catch (error) {
      refill.failed?.(claim.limit)
      throw error
    }
    const { completed, claimed } = answer
    refill.take(claimed, claim.limit)
    for (const row of completed) done.set(row.id, row.token)
    return done
  }

  // The failed statement wrote nothing (claims included), so each run is written exactly once here.
  async #oneByOne(batch: JobRun[]): Promise<void> {
    const { executor, schema, workerId, listener } = this.#options
    for (const run of batch) {
      try {
        const rows = await completeJobs(executor, schema, workerId, [run])
        listener.completed(run, rows.length > 0)
      } catch (error) {
        if (isDataException(error)) await this.#refuse(run, error)
        else listener.notRecorded(run, error)
      }
    }
  }

  async #refuse(run: JobRun, error: unknown): Promise<void> {
    const { executor, schema, workerId, listener } = this.#options
    const detail = (error as { detail?: unknown }).detail
    const message = `result cannot be stored: ${messageOf(error)}${typeof detail === 'string' ? ` (${detail})` : ''}`
    try {
      const status = await failJob(
        executor,
        schema,
        { id: run.id, token: run.token, workerId, errorMessage: message },
        { kind: 'final', status: 'failed' },
      )
      listener.refused(run, status === 'failed' ? 'failed' : undefined, message)
    } catch (failError) {
      listener.notRecorded(run, failError)
    }
  }
}

/** A data exception (SQLSTATE class 22): a value the database refuses, not a lost connection. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('22')
}
