import { messageOf } from '../errors.js'
import { type ClaimedJob, type ClaimOptions, claimJobs } from '../queue/claim-jobs.js'
import type { DueWork } from './due-work.js'
import type { JobRunner, RunnerContext } from './job-runner.js'
import type { LocalQueue } from './local-queue.js'
import { reapExpiredLeases } from './reap-expired-leases.js'

export interface WorkerLoopOptions extends RunnerContext {
  runner: JobRunner
  queue: LocalQueue
  dueWork: DueWork
  concurrency: number
  batchSize: number
  prefetch: number
  pollIntervalMs: number
  batchCompletions: boolean
  /** Jobs whose handler returned and whose completion is not yet written: at most this many more. */
  maxRecording: number
  /** Jobs the worker holds outside the local queue: running, or still being recorded. */
  busy(): number
  claimOptions(limit: number): ClaimOptions
  /** Told when a claim comes back full: a backlog (see `statisticsGatherer`). */
  backlogSeen(): void
}

/**
 * The worker's loop (River's producer): looks for expired leases now and then, fills free slots from
 * the local queue or with a claim of its own, and sleeps in between: until a slot frees when all are
 * busy, for the poll interval when no due job was left, shorter when a notification arrives.
 *
 * With batched completions and no prefetch it also hands the runner its `refill`: the statement that
 * records a batch claims the batch's replacements, one round trip instead of two.
 */
export class WorkerLoop {
  readonly #options: WorkerLoopOptions
  #stopping = false
  #sleeper: { forSlot: boolean; finish: () => void } | undefined
  // One wait each on the runner at a time, kept across passes: a new wait per pass while every slot
  // stays busy (a hung handler) would pile up until a handler finished.
  #handlerDone: Promise<void> | undefined
  #runDone: Promise<void> | undefined
  #finished: Promise<void> | undefined

  constructor(options: WorkerLoopOptions) {
    this.#options = options
  }

  /** Starts the loop; `finished` settles once it has stopped. */
  start(): void {
    this.#finished ??= this.#run()
  }

  /** Settles once the loop has stopped (its statement in flight returned). */
  get finished(): Promise<void> {
    return this.#finished ?? Promise.resolve()
  }

  get stopping(): boolean {
    return this.#stopping
  }

  /** Ends the loop after its statement in flight, if any; it claims nothing more. */
  stop(): void {
    this.#stopping = true
    this.#sleeper?.finish()
  }

  /** A job was enqueued (or listening began): ends a nap at once, and the next claim will look. */
  notify(): void {
    this.#options.dueWork.announce()
    this.#sleeper?.finish()
  }

  /** Jobs arrived in the local queue: wakes the loop to start them as slots free. */
  wake(): void {
    this.#sleeper?.finish()
  }

  /** What the runner's completions claim with: nothing while stopping, while jobs wait, or when drained. */
  readonly refill = {
    claim: (finished: number): ClaimOptions | undefined => {
      const { queue, dueWork, concurrency, claimOptions } = this.#options
      if (this.#stopping || queue.length > 0 || dueWork.drained) return undefined
      return claimOptions(Math.min(finished, concurrency))
    },
    take: (jobs: ClaimedJob[], limit: number): void => {
      const { queue, dueWork, runner, concurrency } = this.#options
      if (jobs.length < limit) dueWork.drained = true
      if (jobs.length === 0) return
      const claimedAt = Date.now()
      // Claimed by a statement that began before stop(): the closed queue hands them back at once.
      const free = this.#stopping ? 0 : Math.max(0, concurrency - runner.executing)
      for (const job of jobs.slice(0, free)) runner.start(job)
      queue.push(jobs.slice(free), claimedAt)
    },
  }

  async #run(): Promise<void> {
    const { executor, schema, logger, runner, queue, dueWork, concurrency, batchSize, prefetch } =
      this.#options
    const { pollIntervalMs } = this.#options
    // Expired leases are looked for a few times per lease, and at least every 30 s.
    const reapEveryMs = Math.min(30_000, Math.max(250, Math.floor(this.#options.leaseMs / 4)))
    let failures = 0
    let nextReap = 0
    while (!this.#stopping) {
      try {
        if (Date.now() >= nextReap) {
          await reapExpiredLeases(this.#options)
          nextReap = Date.now() + reapEveryMs
        }
        const free = concurrency - this.#options.busy()
        if (free <= 0) {
          await this.#sleepUntilSlot()
          continue
        }
        if (queue.length > 0) {
          const checking = queue.startNext(free)
          if (checking !== undefined) await checking
          queue.topUp()
          continue
        }
        if (queue.claiming) {
          await queue.whenClaimed()
          continue
        }
        dueWork.announced = false
        const want = Math.min(free, batchSize) + prefetch
        const claimedAt = Date.now()
        const claimed = await claimJobs(executor, schema, this.#options.claimOptions(want))
        dueWork.drained = claimed.length < want && !dueWork.announced
        if (claimed.length === want) this.#options.backlogSeen()
        if (failures > 0) logger.info('nightshift: the database answers again')
        failures = 0
        // A completion's claim (refill) may have filled slots while this claim was in flight.
        const start = this.#stopping ? 0 : Math.max(0, concurrency - this.#options.busy())
        for (const job of claimed.slice(0, start)) runner.start(job)
        queue.push(claimed.slice(start), claimedAt)
        if (claimed.length === want || dueWork.announced) continue
        await this.#sleep(pollIntervalMs, false)
      } catch (error) {
        failures++
        const delay = Math.min(30_000, 100 * 2 ** failures)
        logger.error('nightshift: worker could not reach the database; backing off', {
          error: messageOf(error),
          retryInMs: delay,
        })
        this.#options.events.emit('worker:error', { message: 'could not reach the database', error })
        await this.#sleep(delay, false)
      }
    }
  }

  // Until a slot frees (or the poll interval passes: expired leases are still looked for).
  #sleepUntilSlot(): Promise<void> {
    const { runner, batchCompletions, maxRecording } = this.#options
    // Past `maxRecording` unrecorded completions, or without batching, a slot frees once a run is recorded.
    if (!batchCompletions || runner.size - runner.executing > maxRecording) {
      this.#runDone ??= runner.whenAnyDone().then(() => {
        this.#runDone = undefined
        this.#slotFreed()
      })
    } else {
      this.#handlerDone ??= runner.whenAnyHandlerDone().then(() => {
        this.#handlerDone = undefined
        this.#slotFreed()
      })
    }
    return this.#sleep(this.#options.pollIntervalMs, true)
  }

  #slotFreed(): void {
    if (this.#sleeper?.forSlot) this.#sleeper.finish()
  }

  // Sleeps until `ms` pass, the worker stops or is woken; a wait for a slot also until one frees. A plain
  // nap also ends at once for a notification that arrived since the last claim; a wait for a slot does
  // not, or the loop would spin on it and starve the running handlers. The timer is cleared when the
  // sleep ends: a wait per finished job must not leave a live timer behind each time.
  #sleep(ms: number, forSlot: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#stopping || (!forSlot && this.#options.dueWork.announced)) return resolve()
      let timer: ReturnType<typeof setTimeout> | undefined
      const sleeper = {
        forSlot,
        finish: () => {
          clearTimeout(timer)
          if (this.#sleeper === sleeper) this.#sleeper = undefined
          resolve()
        },
      }
      timer = setTimeout(sleeper.finish, ms)
      this.#sleeper = sleeper
    })
  }
}
