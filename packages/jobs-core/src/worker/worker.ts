import type { PoolLike } from '../db/sql-executor.js'
import { NightshiftError } from '../errors.js'
import { wholeNumberOption } from '../whole-number.js'
import { DueWork } from './due-work.js'
import { JobListener } from './job-listener.js'
import { JobRunner, type RunCounts, type RunnerContext } from './job-runner.js'
import { knownJobNames } from './known-job-names.js'
import { LocalQueue } from './local-queue.js'
import { stopWorker } from './stop-worker.js'
import { WorkerLoop } from './worker-loop.js'

/**
 * Runs whose handler returned and whose completion is not yet written hold no slot, up to this many
 * (the worker's and `process()`'s): a slot frees when its handler returns, so the next claim and the
 * write of the batch before are in flight at once.
 */
export const maxRecording = 1000

/** Options of `jobs.worker()`. */
export interface WorkerOptions {
  /** Jobs run at once. Default 10. */
  concurrency?: number
  /** Most jobs claimed by one statement. Default: `concurrency`. */
  batchSize?: number
  /** Only jobs of these names. Default: every job this process defines. */
  names?: readonly string[]
  /** Only jobs in these queues. Default: all. */
  queues?: readonly string[]
  /**
   * Wake on LISTEN/NOTIFY as soon as a job is enqueued. Needs a direct connection (a Pool): through a
   * transaction-mode pooler (PgBouncer, Supavisor on 6543) LISTEN receives nothing, so set `false`
   * there and the worker polls. Default: true when nightshift has a Pool.
   */
  listen?: boolean
  /** How often to look for due jobs without a notification (future jobs, retries). Default 1,000 ms. */
  pollIntervalMs?: number
  /**
   * Write completions that finish together in one statement. A slot is free again once its handler
   * returns; the completion is written (and the lease held) in the next batch. Default true.
   */
  batchCompletions?: boolean
  /**
   * Claim up to this many jobs beyond the free slots and keep them (leased to this worker) in a local
   * queue, so that a finished job is replaced without a round trip. Still at most `concurrency` run at
   * once. The queue is topped up in the background (up to two claims in flight, each for up to half of
   * `concurrency + prefetch`), so slots rarely wait on a claim. A queued job not started within half
   * its lease is handed back (by a timer, without spending an attempt) instead of run; on `stop()` the
   * queue is handed back. Queued jobs are checked (one read per batch, made while the batch before
   * runs) to be still held before they start, so a job cancelled while it waits never starts, unless
   * the cancel lands within ~100 ms of its start and races it (the heartbeat then interrupts it).
   * Costs: other workers cannot take the queued jobs meanwhile, and that read per batch. Default 0.
   *
   * @example
   * jobs.worker({ concurrency: 10, prefetch: 490 }) // holds up to 500: 10 running, 490 queued
   */
  prefetch?: number
  /** Aborting it stops the worker, as `stop()` does. */
  signal?: AbortSignal
}

/** A running worker. */
export interface Worker {
  readonly id: string
  /** What the worker's jobs did so far. */
  readonly counts: Readonly<RunCounts>
  /**
   * Stops claiming, lets running jobs finish for up to `timeoutMs` (default 30 s) from the call, then
   * aborts the rest through their signals and hands their jobs back to `pending` (for up to 2 s more).
   * Settles within that time whatever the database does; a job whose hand-back the database did not
   * confirm runs again once its lease expires. Safe to call more than once.
   *
   * @example
   * process.once('SIGTERM', () => void worker.stop({ timeoutMs: 25_000 }))
   */
  stop(options?: { timeoutMs?: number }): Promise<RunCounts>
}

export interface WorkerDependencies extends RunnerContext {
  pool: PoolLike | undefined
  /** Told when the loop's claim comes back full: a backlog (see `statisticsGatherer`). */
  backlogSeen: () => void
}

/**
 * Starts a long-running worker: the loop (`WorkerLoop`) claims and starts jobs, the runner (`JobRunner`)
 * runs them and records how each ended, the local queue (`LocalQueue`) holds prefetched jobs, the
 * listener (`JobListener`) wakes the loop on NOTIFY, and `stopWorker` winds them down.
 */
export function startWorker(deps: WorkerDependencies, options: WorkerOptions = {}): Worker {
  const concurrency = wholeNumberOption('worker', 'concurrency', options.concurrency, 10)
  const batchSize = wholeNumberOption('worker', 'batchSize', options.batchSize, concurrency)
  const pollIntervalMs = wholeNumberOption('worker', 'pollIntervalMs', options.pollIntervalMs, 1000)
  const prefetch = options.prefetch === 0 ? 0 : wholeNumberOption('worker', 'prefetch', options.prefetch, 0)
  const names = knownJobNames(deps.definitions, options.names, 'worker')
  const listen = options.listen ?? deps.pool !== undefined
  if (listen && deps.pool === undefined) {
    throw new NightshiftError(
      'invalid_option',
      'worker({ listen: true }) needs a Pool or a connection string as db',
    )
  }
  const { executor, schema, logger, leaseMs } = deps
  const batchCompletions = options.batchCompletions ?? true
  const claimOptions = (limit: number) => ({
    workerId: deps.workerId,
    limit,
    leaseMs,
    names,
    queues: options.queues,
  })
  const dueWork = new DueWork()
  // With batched completions and no prefetch, the statement that records a batch also claims the
  // batch's replacements: one round trip instead of two. Claims of one job each cost more than they
  // save (so a worker completing jobs one by one claims from its loop), and a prefetching worker
  // already claims in large batches ahead of need (measured slower with refill: bench/RESULTS.md).
  const refill = batchCompletions && prefetch === 0
  const runner = new JobRunner({
    ...deps,
    batchCompletions,
    refill: refill
      ? {
          claim: (finished) => loop.refill.claim(finished),
          take: (jobs, limit) => loop.refill.take(jobs, limit),
        }
      : undefined,
  })
  const busy = () => (batchCompletions ? Math.max(runner.executing, runner.size - maxRecording) : runner.size)
  const queue = new LocalQueue({
    executor,
    schema,
    workerId: deps.workerId,
    leaseMs,
    logger,
    concurrency,
    prefetch,
    dueWork,
    busy,
    claimOptions,
    start: (job) => runner.start(job),
    arrived: () => loop.wake(),
  })
  const loop: WorkerLoop = new WorkerLoop({
    ...deps,
    runner,
    queue,
    dueWork,
    concurrency,
    batchSize,
    prefetch,
    pollIntervalMs,
    batchCompletions,
    maxRecording,
    busy,
    claimOptions,
    backlogSeen: deps.backlogSeen,
  })
  const listener =
    listen && deps.pool
      ? new JobListener({ pool: deps.pool, channel: schema.channel, logger, notified: () => loop.notify() })
      : undefined
  listener?.start()
  loop.start()

  let stopped: Promise<RunCounts> | undefined
  const worker: Worker = {
    id: deps.workerId,
    counts: runner.counts,
    stop(stopOptions = {}) {
      stopped ??= stopWorker({ loop, queue, runner, listener, logger }, stopOptions.timeoutMs ?? 30_000)
      return stopped
    },
  }
  options.signal?.addEventListener('abort', () => void worker.stop(), { once: true })
  return worker
}
