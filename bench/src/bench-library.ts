/**
 * How a worker is configured: `comparable` is each library's defaults at 10 in flight, every job
 * durable before it counts; `best` each library's documented batching; `strict` (nightshift only)
 * one commit per completion, as graphile-worker's defaults do.
 */
export type WorkerSetting = 'comparable' | 'best' | 'strict'

/** What one job carries: the time it was enqueued, in ms since the epoch with sub-ms precision. */
export interface BenchPayload {
  t: number
}

/** Enqueues jobs into one database. */
export interface Producer {
  /** The library's batch API, in chunks it accepts. */
  enqueueMany(payloads: readonly BenchPayload[], runAt?: Date): Promise<void>
  /** One job, one call. */
  enqueue(payload: BenchPayload): Promise<void>
  close(): Promise<void>
}

/** A running worker; `stop` waits for it to finish. */
export interface RunningWorker {
  stop(): Promise<void>
}

/** One queue library as the benchmark drives it. */
export interface BenchLibrary {
  name: 'nightshift' | 'graphile-worker' | 'pg-boss'
  /** Creates the library's schema in an empty database. */
  prepare(url: string): Promise<void>
  producer(url: string): Promise<Producer>
  /** SQL counting jobs that are due and not finished. */
  remainingSql: string
  /** Starts one worker that calls `onJob` for each job it runs. `startedAt` is called just before work can begin. */
  startWorker(
    url: string,
    setting: WorkerSetting,
    onJob: (payload: BenchPayload) => void,
    startedAt: () => void,
  ): Promise<RunningWorker>
}

/** The wall clock with sub-millisecond precision, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}
