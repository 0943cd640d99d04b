import { isConnectionError } from '../db/connection-error.js'
import { messageOf, NightshiftError } from '../errors.js'
import { type ClaimOptions, claimJobs } from '../queue/claim-jobs.js'
import { wholeNumberOption } from '../whole-number.js'
import { DueWork } from './due-work.js'
import { JobRunner, type RunCounts, type RunnerContext } from './job-runner.js'
import { knownJobNames } from './known-job-names.js'
import { LocalQueue } from './local-queue.js'
import { reapExpiredLeases } from './reap-expired-leases.js'
import { maxRecording } from './worker.js'

/** Options of `jobs.process()`. */
export interface ProcessOptions {
  /** Most jobs to take in this call. Default 10. */
  limit?: number
  /**
   * Stop taking jobs and return after this long. A host with a wall-clock limit sets it below the
   * limit (Supabase Edge Functions: 150 s, https://supabase.com/docs/guides/functions/limits). Jobs
   * still running then are reported as `running`; they finish in the background where the host lets
   * them, and otherwise their lease expires and they run again. Default 50,000 ms.
   */
  deadlineMs?: number
  /** Only jobs of these names. Default: every job this process defines. */
  names?: readonly string[]
  /** Only jobs in these queues. Default: all. */
  queues?: readonly string[]
  /** Jobs run at once. Default: the smaller of `limit` and 10. */
  concurrency?: number
  /** Aborting it stops taking jobs and interrupts running handlers; their jobs go back to `pending`. */
  signal?: AbortSignal
}

/** What one `process()` call did. */
export interface ProcessReport extends RunCounts {
  /** Jobs still running when the deadline came. */
  running: number
  durationMs: number
}

export interface ProcessDependencies extends RunnerContext {
  /** Told of a runner whose jobs outlive the call, so `close()` can stop them. */
  track: (runner: JobRunner) => void
  /** Told when a claim comes back full: a backlog (see `statisticsGatherer`). */
  backlogSeen: () => void
}

function until(deadline: number, signal: AbortSignal | undefined, work: Promise<unknown>): Promise<unknown> {
  const remaining = deadline - Date.now()
  if (remaining <= 0 || signal?.aborted) return Promise.resolve()
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: (() => void) | undefined
  const stop = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, remaining)
    onAbort = () => resolve()
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  return Promise.race([work, stop]).finally(() => {
    clearTimeout(timer)
    if (onAbort) signal?.removeEventListener('abort', onAbort)
  })
}

/**
 * Drains due jobs with a limit and a deadline, then returns: the one way in for hosts that run in
 * short bursts (an Edge Function, an HTTP route, a GitHub Actions step).
 *
 * It keeps its slots full the way the worker does (`WorkerLoop`): a slot is free again once its
 * handler returns, while the completion is still being written, so the next claim and the write of the
 * batch before are in flight at once, on two connections, instead of one after the other; and the
 * statement that records finished runs also claims their replacements. Jobs claimed beyond the free
 * slots (the loop and a completion both claimed for the same slots) wait in a `LocalQueue`: checked
 * still held before they start, handed back unstarted at the end. Measured in bench/RESULTS.md ("The
 * drain").
 */
export async function processJobs(
  deps: ProcessDependencies,
  options: ProcessOptions = {},
): Promise<ProcessReport> {
  const started = Date.now()
  const limit = wholeNumberOption('process', 'limit', options.limit, 10)
  const deadline = started + wholeNumberOption('process', 'deadlineMs', options.deadlineMs, 50_000)
  const concurrency = wholeNumberOption('process', 'concurrency', options.concurrency, Math.min(limit, 10))
  const names = knownJobNames(deps.definitions, options.names, 'process')
  const { signal } = options
  const claimOptions = (want: number): ClaimOptions => ({
    workerId: deps.workerId,
    limit: want,
    leaseMs: deps.leaseMs,
    names,
    queues: options.queues,
  })
  let claimed = 0
  // Asked for by claims in flight, not yet arrived: counted against the limit meanwhile.
  let reserved = 0
  const dueWork = new DueWork()
  const room = () => limit - claimed - reserved
  const stopping = () => Date.now() >= deadline || signal?.aborted === true
  const busy = () => Math.max(runner.executing, runner.size - maxRecording)
  // Wakes the loop when a completion's claim (refill) comes back or fails.
  let refillLanded: (() => void) | undefined
  const whenRefillLands = () =>
    new Promise<void>((resolve) => {
      refillLanded = resolve
    })
  const landed = () => {
    refillLanded?.()
    refillLanded = undefined
  }
  const runner: JobRunner = new JobRunner({
    ...deps,
    batchCompletions: true,
    refill: {
      claim: (finished) => {
        if (dueWork.drained || queue.length > 0 || stopping()) return undefined
        const want = Math.min(finished, concurrency, room())
        if (want < 1) return undefined
        reserved += want
        return claimOptions(want)
      },
      take: (jobs, asked) => {
        reserved -= asked
        claimed += jobs.length
        if (jobs.length < asked) dueWork.drained = true
        const free = signal?.aborted ? 0 : Math.max(0, concurrency - runner.executing)
        for (const job of jobs.slice(0, free)) runner.start(job)
        queue.push(jobs.slice(free), Date.now())
        landed()
      },
      failed: (asked) => {
        reserved -= asked
        landed()
      },
    },
  })
  const queue: LocalQueue = new LocalQueue({
    ...deps,
    concurrency,
    prefetch: 0,
    dueWork,
    busy,
    claimOptions,
    start: (job) => runner.start(job),
    // The loop looks at the queue whenever a slot frees; jobs arriving meanwhile need no wake-up.
    arrived: () => {},
  })
  try {
    await reapExpiredLeases(deps)
    while (!stopping()) {
      const free = concurrency - busy()
      if (free <= 0) {
        const slot =
          runner.size - runner.executing > maxRecording ? runner.whenAnyDone() : runner.whenAnyHandlerDone()
        await until(deadline, signal, slot)
        continue
      }
      if (queue.length > 0) {
        const checking = queue.startNext(free)
        if (checking !== undefined) await checking
        continue
      }
      if (dueWork.drained || room() <= 0) {
        // A completion's claim still in flight may bring jobs: wait for it, so that they run in this
        // call rather than go back to the queue unrun (the loop's own claim is never in flight here).
        if (reserved > 0) {
          await until(deadline, signal, whenRefillLands())
          continue
        }
        break
      }
      const want = Math.min(free, room())
      // Counted against the limit while in flight: completions claim beside it.
      reserved += want
      const claimedAt = Date.now()
      const jobs = await claimJobs(deps.executor, deps.schema, claimOptions(want)).finally(() => {
        reserved -= want
      })
      claimed += jobs.length
      // A completion's claim may have filled slots while this one was in flight. The deadline stops
      // claiming, not starting: what a claim brought starts even if the deadline came meanwhile.
      const open = signal?.aborted ? 0 : Math.max(0, concurrency - busy())
      for (const job of jobs.slice(0, open)) runner.start(job)
      queue.push(jobs.slice(open), claimedAt)
      if (jobs.length < want) dueWork.drained = true
      else deps.backlogSeen()
    }
  } catch (error) {
    if (runner.counts.claimed === 0) {
      queue.close()
      // Only an unreachable database is `database_unavailable` (503 over HTTP); anything else, such as
      // a schema that was never migrated, is thrown as it is, and so is an error the executor already
      // said that of (it names the host and port).
      if (error instanceof NightshiftError || !isConnectionError(error)) throw error
      throw new NightshiftError('database_unavailable', `could not claim jobs: ${messageOf(error)}`, {
        cause: error,
      })
    }
    // Jobs already running still finish and are recorded; this call just takes no more.
    deps.logger.error('nightshift: claiming stopped early', { error: messageOf(error) })
  }
  // Claimed and never started (the deadline came, or the call was aborted): back to pending unrun.
  queue.close()
  await until(deadline, signal, runner.whenIdle())
  if (signal?.aborted && runner.size > 0) {
    runner.interruptAll('process() was aborted')
    await runner.whenIdle()
  }
  await until(deadline, signal, queue.whenSettled())
  if (runner.size > 0) deps.track(runner)
  return { ...runner.counts, running: runner.size, durationMs: Date.now() - started }
}
