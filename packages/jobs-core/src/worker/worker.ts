import type { SchemaName } from '../db/schema-name.js'
import type { PoolLike, SqlExecutor } from '../db/sql-executor.js'
import type { AnyJobDefinition } from '../define-job.js'
import { messageOf, NightshiftError } from '../errors.js'
import type { Logger } from '../logger.js'
import { type ClaimedJob, claimJobs, type HeldJob, heldJob } from '../queue/claim-jobs.js'
import { releaseExpiredLeases } from '../queue/release-expired-leases.js'
import { releaseJobs } from '../queue/release-jobs.js'
import { JobRunner, type RunCounts } from './job-runner.js'
import { knownJobNames } from './known-job-names.js'

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
   * its lease is handed back instead of run; on `stop()` the queue is handed back. Costs: other
   * workers cannot take the queued jobs meanwhile. Default 0.
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
   * Stops claiming, lets running jobs finish for up to `timeoutMs` (default 30 s), then aborts the rest
   * through their signals and hands their jobs back to `pending`. Safe to call more than once.
   */
  stop(options?: { timeoutMs?: number }): Promise<RunCounts>
}

export interface WorkerDependencies {
  executor: SqlExecutor
  schema: SchemaName
  definitions: ReadonlyMap<string, AnyJobDefinition>
  leaseMs: number
  logger: Logger
  workerId: string
  pool: PoolLike | undefined
  /** Told when the loop's claim comes back full: a backlog (see `statisticsGatherer`). */
  backlogSeen: () => void
}

interface ListenClient {
  query(text: string): Promise<unknown>
  on(event: 'notification', listener: (message: { channel: string }) => void): unknown
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown
  release(destroy?: boolean | Error): void
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) {
    throw new NightshiftError(
      'invalid_option',
      `worker({ ${name} }) must be a whole number of 1 or more, got ${value}`,
    )
  }
  return value
}

/** Starts a long-running worker. */
export function startWorker(deps: WorkerDependencies, options: WorkerOptions = {}): Worker {
  const concurrency = count('concurrency', options.concurrency, 10)
  const batchSize = count('batchSize', options.batchSize, concurrency)
  const pollIntervalMs = count('pollIntervalMs', options.pollIntervalMs, 1000)
  const prefetch = options.prefetch === 0 ? 0 : count('prefetch', options.prefetch, 0)
  const names = knownJobNames(deps.definitions, options.names, 'worker')
  const listen = options.listen ?? deps.pool !== undefined
  if (listen && deps.pool === undefined) {
    throw new NightshiftError(
      'invalid_option',
      'worker({ listen: true }) needs a Pool or a connection string as db',
    )
  }
  const { executor, schema, logger } = deps
  const batchCompletions = options.batchCompletions ?? true
  const claimOptions = (limit: number) => ({
    workerId: deps.workerId,
    limit,
    leaseMs: deps.leaseMs,
    names,
    queues: options.queues,
  })
  // With batched completions and no prefetch, the statement that records a batch also claims the
  // batch's replacements: one round trip instead of two. Claims of one job each cost more than they
  // save (so a worker completing jobs one by one claims from its loop), and a prefetching worker
  // already claims in large batches ahead of need (measured slower with refill: bench/RESULTS.md).
  //
  // Once a claim comes back short, no due job was left: completions stop claiming until a
  // notification or the loop's next claim (after its poll interval) finds work again. Without this,
  // every completion at the tail of the queue would look again; behind a large backlog of future jobs
  // each such look reads the whole claim index (nothing in it bounds `scheduled_for` when the index
  // leads with priority).
  let drained = false
  const handingBack = new Set<Promise<void>>()
  const refill = {
    claim(finished: number) {
      if (stopping || queued.length > 0 || drained) return undefined
      return claimOptions(Math.min(finished, concurrency))
    },
    take(jobs: ClaimedJob[], limit: number) {
      if (jobs.length < limit) drained = true
      if (jobs.length === 0) return
      if (stopping) {
        // Claimed by a statement that began before stop(): hand them back at once; stop() waits.
        const back: Promise<void> = handBack(jobs.map(heldJob))
          .catch((error) =>
            logger.error('nightshift: could not hand back claimed jobs; their lease will expire', {
              error: messageOf(error),
            }),
          )
          .finally(() => handingBack.delete(back))
        handingBack.add(back)
        return
      }
      const claimedAt = Date.now()
      const free = Math.max(0, concurrency - runner.executing)
      for (const job of jobs.slice(0, free)) runner.start(job)
      for (const job of jobs.slice(free)) queued.push({ job, claimedAt })
      // The loop starts the queued ones as slots free up; it may be asleep.
      if (queued.length > 0) wake()
    },
  }
  const runner = new JobRunner({
    ...deps,
    batchCompletions,
    refill: batchCompletions && prefetch === 0 ? refill : undefined,
  })
  // Jobs whose handler returned and whose completion is not yet written: at most this many more.
  const maxRecording = 1000
  const busy = () => (batchCompletions ? Math.max(runner.executing, runner.size - maxRecording) : runner.size)
  // Expired leases are looked for a few times per lease, and at least every 30 s.
  const reapEveryMs = Math.min(30_000, Math.max(250, Math.floor(deps.leaseMs / 4)))

  let stopping = false
  // Set by a notification; a claim that starts after it sees the new job, so the flag is cleared
  // just before each claim and checked after it.
  let woken = false
  const sleepers = new Set<() => void>()
  let listener: { close(): Promise<void> } | undefined

  // Sleeps until `ms` pass, a notification arrives or the worker stops; with `until`, also until it
  // settles. A plain nap also ends at once for a notification that arrived since the last claim; a
  // wait for a free slot (`until`) does not, or the loop would spin on resolved promises and starve
  // the running handlers. The timer is cleared when the sleep ends: a wait per finished job must not
  // leave a live timer behind each time.
  const nap = (ms: number, until?: Promise<unknown>) =>
    new Promise<void>((resolve) => {
      if (stopping || (until === undefined && woken)) return resolve()
      const timer = setTimeout(finish, ms)
      function finish() {
        clearTimeout(timer)
        sleepers.delete(finish)
        resolve()
      }
      sleepers.add(finish)
      until?.then(finish, finish)
    })
  const wake = () => {
    for (const finish of [...sleepers]) finish()
  }
  const notify = () => {
    woken = true
    drained = false
    wake()
  }

  async function connectListener(attempt = 0): Promise<void> {
    if (!listen || stopping || !deps.pool) return
    let client: ListenClient
    try {
      client = (await deps.pool.connect()) as unknown as ListenClient
    } catch (error) {
      logger.error('nightshift: could not LISTEN; retrying', { error: messageOf(error) })
      await nap(Math.min(30_000, 500 * 2 ** attempt))
      return connectListener(attempt + 1)
    }
    let released = false
    const release = (error?: Error) => {
      if (released) return false
      released = true
      listener = undefined
      client.release(error ?? true)
      return true
    }
    const lost = (error?: Error) => {
      if (release(error ?? new Error('connection ended')) && !stopping) {
        logger.warn('nightshift: lost the LISTEN connection; reconnecting', {
          error: error && messageOf(error),
        })
        setTimeout(() => void connectListener(), 500)
      }
    }
    client.on('error', lost)
    client.on('end', lost)
    client.on('notification', (message) => {
      if (message.channel === schema.channel) notify()
    })
    try {
      await client.query(`listen "${schema.channel}"`)
    } catch (error) {
      lost(error instanceof Error ? error : new Error(messageOf(error)))
      return
    }
    listener = {
      async close() {
        await client.query(`unlisten "${schema.channel}"`).catch(() => {})
        release()
      },
    }
    if (stopping) await listener.close()
    // Whatever was enqueued while we were not listening is due now.
    notify()
  }

  // Prefetched jobs: claimed and leased to this worker, not yet started.
  let queued: { job: ClaimedJob; claimedAt: number }[] = []
  // A prefetching worker claims ahead while it still runs what it holds, so its slots never wait on a
  // claim. Up to two claims are in flight, each for up to half of what the worker holds at most: under
  // load a claim's own writes take longer than running the jobs it brings, and a second claim on a
  // second connection keeps the queue fed meanwhile. A new claim starts once the room left is at least
  // a quarter of that; the loop waits for the claims before claiming itself, and before handing the
  // queue back on stop.
  const prefetching = new Set<Promise<void>>()
  let prefetchingRows = 0
  const prefetchChunk = Math.ceil((concurrency + prefetch) / 2)
  const topUp = () => {
    while (!stopping && !drained && prefetch > 0 && prefetching.size < 2) {
      const room = concurrency + prefetch - busy() - queued.length - prefetchingRows
      if (room < Math.ceil(prefetchChunk / 2)) return
      const want = Math.min(room, prefetchChunk)
      const claimedAt = Date.now()
      prefetchingRows += want
      const claim: Promise<void> = claimJobs(executor, schema, claimOptions(want))
        .then(
          (claimed) => {
            if (claimed.length < want) drained = true
            // Two claims can return out of order; the queue stays in claim order (its head is the
            // oldest, which is where the loop looks for entries gone stale).
            let at = queued.length
            while (at > 0 && (queued[at - 1]?.claimedAt ?? 0) > claimedAt) at--
            queued.splice(at, 0, ...claimed.map((job) => ({ job, claimedAt })))
            if (claimed.length > 0) wake()
          },
          // The loop's own claim meets the same failure and backs off.
          () => {},
        )
        .finally(() => {
          prefetchingRows -= want
          prefetching.delete(claim)
        })
      prefetching.add(claim)
    }
  }
  async function handBack(held: HeldJob[]): Promise<void> {
    if (held.length > 0)
      await releaseJobs(executor, schema, deps.workerId, held, { delayMs: 0, message: null })
  }

  async function loop(): Promise<void> {
    let failures = 0
    let nextReap = 0
    while (!stopping) {
      try {
        if (Date.now() >= nextReap) {
          const released = await releaseExpiredLeases(executor, schema)
          if (released > 0) logger.info('nightshift: released jobs whose lease expired', { count: released })
          nextReap = Date.now() + reapEveryMs
        }
        const free = concurrency - busy()
        if (free <= 0) {
          const slot =
            runner.size - runner.executing > maxRecording ? runner.whenAnyDone() : runner.whenAnyHandlerDone()
          await nap(pollIntervalMs, batchCompletions ? slot : runner.whenAnyDone())
          continue
        }
        if (queued.length > 0) {
          const oldest = Date.now() - deps.leaseMs / 2
          // The queue is in claim order, so the stale entries are at its head: no scan per started job.
          let staleCount = 0
          while (staleCount < queued.length && (queued[staleCount]?.claimedAt ?? oldest) < oldest)
            staleCount++
          if (staleCount > 0) await handBack(queued.splice(0, staleCount).map((entry) => heldJob(entry.job)))
          for (const entry of queued.splice(0, free)) runner.start(entry.job)
          topUp()
          continue
        }
        if (prefetching.size > 0) {
          await Promise.race(prefetching)
          continue
        }
        woken = false
        const want = Math.min(free, batchSize) + prefetch
        const claimedAt = Date.now()
        const claimed = await claimJobs(executor, schema, claimOptions(want))
        drained = claimed.length < want && !woken
        if (claimed.length === want) deps.backlogSeen()
        if (failures > 0) logger.info('nightshift: the database answers again')
        failures = 0
        for (const job of claimed.slice(0, free)) runner.start(job)
        for (const job of claimed.slice(free)) queued.push({ job, claimedAt })
        if (claimed.length === want || woken) continue
        await nap(pollIntervalMs)
      } catch (error) {
        failures++
        const delay = Math.min(30_000, 100 * 2 ** failures)
        logger.error('nightshift: worker could not reach the database; backing off', {
          error: messageOf(error),
          retryInMs: delay,
        })
        await nap(delay)
      }
    }
    await Promise.all(prefetching)
    const unstarted = queued.map((entry) => heldJob(entry.job))
    queued = []
    await handBack(unstarted).catch((error) =>
      logger.error('nightshift: could not hand back prefetched jobs; their lease will expire', {
        error: messageOf(error),
      }),
    )
  }

  void connectListener()
  const looping = loop()
  let stopped: Promise<RunCounts> | undefined

  const worker: Worker = {
    id: deps.workerId,
    counts: runner.counts,
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        stopping = true
        notify()
        await looping
        const timeoutMs = stopOptions.timeoutMs ?? 30_000
        let timer: ReturnType<typeof setTimeout> | undefined
        const timedOut = await Promise.race([
          runner.whenIdle().then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), timeoutMs)
          }),
        ])
        clearTimeout(timer)
        if (timedOut) {
          runner.interruptAll(`the worker stopped after waiting ${timeoutMs} ms`)
          await runner.whenIdle()
        }
        await Promise.all([...handingBack])
        await listener?.close()
        return { ...runner.counts }
      })()
      return stopped
    },
  }
  options.signal?.addEventListener('abort', () => void worker.stop(), { once: true })
  return worker
}
