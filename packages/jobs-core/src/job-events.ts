import { messageOf } from './errors.js'
import type { Logger } from './logger.js'

/** Which job a run is, in every job event. */
export interface JobEventJob {
  jobId: string
  /** The job's name. */
  name: string
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  maxAttempts: number
  /** The worker, `process()` call or trigger the run was leased to. */
  workerId: string
}

/** A run that ended: how long its handler ran (ms, from its start to its outcome being recorded). */
export interface JobEndEvent extends JobEventJob {
  durationMs: number
}

/** A run that failed and will be tried again. */
export interface JobRetryEvent extends JobEndEvent {
  error: string
  /** When the next attempt is due, from now. */
  retryInMs: number
}

/** A run that ended with an error message: failed for good, cancelled, or no longer held. */
export interface JobErrorEvent extends JobEndEvent {
  error: string
}

/** Every event and what its listeners receive. */
export interface JobEventMap {
  /** A handler is about to run. */
  'job:start': JobEventJob
  /** The run's completion was recorded. */
  'job:success': JobEndEvent
  /** The run failed; the job is `pending` again for its next attempt. */
  'job:retry': JobRetryEvent
  /** The job is `failed` for good: attempts exhausted, `JobFailError`, or input that no longer parses. */
  'job:failed': JobErrorEvent
  /** The handler cancelled its job (`JobCancelError`). */
  'job:cancelled': JobErrorEvent
  /** The run lost its job (lease expired and claimed again, or cancelled) and recorded nothing. */
  'job:lost': JobErrorEvent
  /** The run was handed back unfinished (the worker stopped) or snoozed; the job is `pending`. */
  'job:released': JobEndEvent
  /** Jobs whose lease expired (their worker died) went back to `pending`, or to `failed` when out of attempts. */
  'lease:expired': { jobs: { jobId: string; name: string; attempt: number; status: 'pending' | 'failed' }[] }
  /** The worker could not reach the database, or a heartbeat failed; it retries on its own. */
  'worker:error': { message: string; error: unknown }
}

/** An event's name. */
export type JobEventName = keyof JobEventMap

/**
 * Lifecycle events of a queue's runs, for metrics and tracing (`jobs.on(...)`). Listeners are called in
 * order, synchronously, in the worker's own loop: keep them fast. One that throws is logged and skipped;
 * it never stops the worker. With no listener for an event, the worker builds nothing for it.
 *
 * @example
 * const off = jobs.on('job:failed', (event) => metrics.increment('jobs_failed', { job: event.name }))
 * off() // stops listening
 */
export class JobEvents {
  readonly #listeners = new Map<JobEventName, ((event: never) => void)[]>()
  readonly #logger: Logger

  constructor(logger: Logger) {
    this.#logger = logger
  }

  /** Calls `listener` on every `name` event; returns the function that stops it. */
  on<Name extends JobEventName>(name: Name, listener: (event: JobEventMap[Name]) => void): () => void {
    this.#listeners.set(name, [...(this.#listeners.get(name) ?? []), listener])
    return () => {
      const left = (this.#listeners.get(name) ?? []).filter((known) => known !== listener)
      if (left.length > 0) this.#listeners.set(name, left)
      else this.#listeners.delete(name)
    }
  }

  /** Whether anyone listens to `name` (so a caller builds the event only then). */
  has(name: JobEventName): boolean {
    return this.#listeners.has(name)
  }

  /** Calls the listeners of `name`; a listener that throws is logged, and the others still run. */
  emit<Name extends JobEventName>(name: Name, event: JobEventMap[Name]): void {
    const listeners = this.#listeners.get(name)
    if (listeners === undefined) return
    for (const listener of listeners) {
      try {
        ;(listener as (event: JobEventMap[Name]) => void)(event)
      } catch (error) {
        this.#logger.error(`nightshift: a "${name}" listener threw`, { error: messageOf(error) })
      }
    }
  }
}
