import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { messageOf } from '../errors.js'
import type { Logger } from '../logger.js'
import { type ClaimedJob, type ClaimOptions, claimJobs, heldJob } from '../queue/claim-jobs.js'
import { releaseJobs } from '../queue/release-jobs.js'
import { stillHeldJobs } from '../queue/still-held-jobs.js'
import type { DueWork } from './due-work.js'

interface Entry {
  job: ClaimedJob
  /** When the claim that brought it was sent: its lease runs from no earlier than this. */
  claimedAt: number
  /** When the last check that found its row still held was sent: at first, the claim that brought it. */
  checkedAt: number
}

/**
 * How long a check that a queued job is still held counts. The claim that brought a job is its first
 * check (the claim found the row pending and made it this run's), so a queue that turns over within
 * this window starts jobs with no check at all. Later checks are made ahead, for the next batch, while
 * the batch before runs, so that starting a job costs no round trip; a job that waited longer since its
 * check (its turn came slowly) is checked again before it starts. A cancel that lands in this window
 * races the start, like one that lands while the check itself is on its way.
 */
export const checkCountsForMs = 100

export interface LocalQueueOptions {
  executor: SqlExecutor
  schema: SchemaName
  workerId: string
  leaseMs: number
  logger: Logger
  concurrency: number
  /** Jobs held beyond the running ones; 0 means the queue is never topped up. */
  prefetch: number
  dueWork: DueWork
  /** Jobs the worker holds outside this queue: running, or still being recorded. */
  busy(): number
  claimOptions(limit: number): ClaimOptions
  /** Starts a job the queue hands over. */
  start(job: ClaimedJob): void
  /** Told when claimed jobs arrive (the loop starts them as slots free up; it may be asleep). */
  arrived(): void
}

/**
 * A worker's prefetched jobs: claimed and leased to it, not yet started (graphile-worker's `LocalQueue`).
 *
 * - Top-up: the queue claims ahead while the worker still runs what it holds, so its slots never wait on
 *   a claim. Up to two claims are in flight, each for up to half of what the worker holds at most: under
 *   load a claim's own writes take longer than running the jobs it brings, and a second claim on a
 *   second connection keeps the queue fed meanwhile. A new claim starts once the room left is at least
 *   a quarter of that.
 * - Its own timer hands back, without spending an attempt, every job not started within half its lease,
 *   whether or not a slot frees meanwhile: the heartbeat extends only running jobs, so a queued job
 *   behind a handler longer than the lease would otherwise lose its lease and its attempt unrun.
 * - A job that waited longer than `checkCountsForMs` since its claim starts only once one statement per
 *   batch found its row still held by its run: a job cancelled while it waited never starts. The check
 *   is made ahead while the batch before runs, so it costs no wait; a fast queue, whose jobs start
 *   within that window of their claim, makes none (measured: the check per batch cost the prefetching
 *   worker about a fifth of its jobs per second).
 * - Closed (the worker stops), it hands back what it holds and whatever claims still bring.
 */
export class LocalQueue {
  readonly #options: LocalQueueOptions
  // In claim order, so the entries gone stale are at its head: no scan per started job.
  #entries: Entry[] = []
  readonly #claims = new Set<Promise<void>>()
  #claimingRows = 0
  readonly #handingBack = new Set<Promise<void>>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  // The check in flight, if any (it never rejects; a failure is met again by the next check).
  #checking: Promise<void> | undefined
  readonly #ttlMs: number
  readonly #chunk: number
  readonly #checkSize: number

  constructor(options: LocalQueueOptions) {
    this.#options = options
    this.#ttlMs = options.leaseMs / 2
    this.#chunk = Math.ceil((options.concurrency + options.prefetch) / 2)
    this.#checkSize = Math.max(options.concurrency, Math.ceil(options.prefetch / 2))
  }

  /** Jobs waiting to start. */
  get length(): number {
    return this.#entries.length
  }

  /** Whether a top-up claim is in flight. */
  get claiming(): boolean {
    return this.#claims.size > 0
  }

  /** Settles when a top-up claim in flight returns (at once when none is). */
  async whenClaimed(): Promise<void> {
    if (this.#claims.size > 0) await Promise.race(this.#claims)
  }

  /** Queues claimed jobs (claimed at `claimedAt`); once closed, hands them back at once instead. */
  push(jobs: readonly ClaimedJob[], claimedAt: number): void {
    if (jobs.length === 0) return
    if (this.#closed) {
      this.#handBack(
        jobs.map((job) => ({ job, claimedAt, checkedAt: 0 })),
        'could not hand back claimed jobs',
      )
      return
    }
    // Two claims can return out of order; the queue stays in claim order.
    let at = this.#entries.length
    while (at > 0 && (this.#entries[at - 1]?.claimedAt ?? 0) > claimedAt) at--
    // The claim found each row pending and made it this run's: it counts as a check sent when it was.
    this.#entries.splice(at, 0, ...jobs.map((job) => ({ job, claimedAt, checkedAt: claimedAt })))
    this.#arm()
    this.#options.arrived()
  }

  /**
   * Starts up to `limit` queued jobs, oldest first, each only once a check (one statement per batch)
   * found its row still held by its run: a job cancelled or lost while it waited is dropped unstarted.
   * The head is usually checked already (see `checkCountsForMs`); otherwise this waits for a check.
   * Starts no more than the slots free once the check returns. Returns a promise only when it has to
   * wait for a check (which rejects when the check fails): a busy queue starts jobs without a promise.
   */
  startNext(limit: number): Promise<void> | undefined {
    this.#handBackStale()
    const since = Date.now() - checkCountsForMs
    if (this.#headChecked(limit, since)) {
      this.#startChecked(limit, since)
      return undefined
    }
    return (async () => {
      // A check in flight may cover the head; if it does not, check now.
      if (this.#checking !== undefined) await this.#checking
      if (!this.#headChecked(limit, since)) await this.#check(since)
      this.#startChecked(limit, since)
    })()
  }

  #startChecked(limit: number, since: number): void {
    if (this.#closed) return
    const free = Math.min(limit, this.#options.concurrency - this.#options.busy())
    let started = 0
    while (started < free && started < this.#entries.length) {
      const entry = this.#entries[started] as Entry
      if (entry.checkedAt < since) break
      started++
    }
    for (const entry of this.#entries.splice(0, started)) this.#options.start(entry.job)
    this.#checkAhead()
  }

  #headChecked(limit: number, since: number): boolean {
    const end = Math.min(limit, this.#entries.length)
    for (let index = 0; index < end; index++)
      if ((this.#entries[index] as Entry).checkedAt < since) return false
    return true
  }

  // While the batch just started runs, check the next one, so that its start waits on no round trip.
  #checkAhead(): void {
    if (this.#checking !== undefined || this.#closed) return
    const since = Date.now() - checkCountsForMs
    // Only whether fewer than half a check's worth are still checked matters: count no further.
    const enough = Math.min(this.#entries.length, Math.ceil(this.#checkSize / 2))
    let checked = 0
    while (checked < enough && (this.#entries[checked] as Entry).checkedAt >= since) checked++
    if (checked < enough) void this.#check(since).catch(() => {})
  }

  // Checks the next `#checkSize` entries not checked since `since`. Entries whose row is no longer held
  // (cancelled, or lost with its lease) leave the queue unstarted; nothing is handed back for them.
  #check(since: number): Promise<void> {
    const from = this.#entries.findIndex((entry) => entry.checkedAt < since)
    if (from < 0) return Promise.resolve()
    const batch = this.#entries.slice(from, from + this.#checkSize)
    const sentAt = Date.now()
    const { executor, schema, workerId } = this.#options
    const check = stillHeldJobs(
      executor,
      schema,
      workerId,
      batch.map((entry) => heldJob(entry.job)),
    ).then((held) => {
      let lost = 0
      for (const entry of batch) {
        if (held.has(entry.job.id)) entry.checkedAt = sentAt
        else lost++
      }
      if (lost > 0)
        this.#entries = this.#entries.filter((entry) => !batch.includes(entry) || held.has(entry.job.id))
    })
    const settled = check.then(
      () => {},
      () => {},
    )
    this.#checking = settled
    void settled.then(() => {
      if (this.#checking === settled) this.#checking = undefined
    })
    return check
  }

  /** Claims ahead in the background while there is room (see the class comment). */
  topUp(): void {
    const { prefetch, concurrency, dueWork } = this.#options
    while (!this.#closed && !dueWork.drained && prefetch > 0 && this.#claims.size < 2) {
      const room = concurrency + prefetch - this.#options.busy() - this.#entries.length - this.#claimingRows
      if (room < Math.ceil(this.#chunk / 2)) return
      const want = Math.min(room, this.#chunk)
      const claimedAt = Date.now()
      this.#claimingRows += want
      const { executor, schema } = this.#options
      const claim: Promise<void> = claimJobs(executor, schema, this.#options.claimOptions(want))
        .then(
          (claimed) => {
            if (claimed.length < want) dueWork.drained = true
            this.push(claimed, claimedAt)
          },
          // The loop's own claim meets the same failure and backs off.
          () => {},
        )
        .finally(() => {
          this.#claimingRows -= want
          this.#claims.delete(claim)
        })
      this.#claims.add(claim)
    }
  }

  /** Stops topping up and hands back every queued job, now and as claims in flight return. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    const unstarted = this.#entries
    this.#entries = []
    this.#handBack(unstarted, 'could not hand back prefetched jobs')
  }

  /** Settles once no claim is in flight and every hand-back has been written (or has failed). */
  async whenSettled(): Promise<void> {
    while (this.#claims.size > 0 || this.#handingBack.size > 0) {
      await Promise.all([...this.#claims, ...this.#handingBack])
    }
  }

  // One timer for the whole queue, due when its head goes stale: it is armed when jobs arrive and the
  // queue had none armed, so a busy queue does not set a timer per claim or per started job.
  #arm(): void {
    if (this.#timer !== undefined || this.#closed) return
    const head = this.#entries[0]
    if (head === undefined) return
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined
        this.#handBackStale()
        this.#arm()
      },
      Math.max(0, head.claimedAt + this.#ttlMs - Date.now()),
    )
  }

  #handBackStale(): void {
    const oldest = Date.now() - this.#ttlMs
    let stale = 0
    while (stale < this.#entries.length && (this.#entries[stale]?.claimedAt ?? oldest) < oldest) stale++
    if (stale === 0) return
    const entries = this.#entries.splice(0, stale)
    this.#options.logger.warn(
      'nightshift: prefetched jobs waited half their lease without starting; handed back without spending an attempt (lower `prefetch` or raise `leaseMs`)',
      { count: stale, jobs: entries.slice(0, 20).map((entry) => `${entry.job.type}#${entry.job.id}`) },
    )
    this.#handBack(entries, 'could not hand back prefetched jobs')
  }

  // Back to `pending` without spending an attempt: these runs never started.
  #handBack(entries: readonly Entry[], failure: string): void {
    if (entries.length === 0) return
    const { executor, schema, workerId, logger } = this.#options
    const back: Promise<void> = releaseJobs(
      executor,
      schema,
      workerId,
      entries.map((entry) => heldJob(entry.job)),
      { delayMs: 0, message: null },
    )
      .then(
        () => {},
        (error) =>
          logger.error(`nightshift: ${failure}; their lease will expire`, { error: messageOf(error) }),
      )
      .finally(() => this.#handingBack.delete(back))
    this.#handingBack.add(back)
  }
}
