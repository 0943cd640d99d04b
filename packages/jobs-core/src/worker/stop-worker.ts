import type { Logger } from '../logger.js'
import type { JobListener } from './job-listener.js'
import type { JobRunner, RunCounts } from './job-runner.js'
import type { LocalQueue } from './local-queue.js'
import { settleWithin } from './settle-within.js'
import type { WorkerLoop } from './worker-loop.js'

/**
 * How long interrupted handlers' jobs are given to be handed back after a stop's timeout, before stop
 * settles anyway (their leases then expire and they run again). A healthy database takes milliseconds.
 */
export const handBackGraceMs = 2_000

/** The parts of a running worker that a stop winds down. */
export interface StoppableWorker {
  loop: WorkerLoop
  queue: LocalQueue
  runner: JobRunner
  listener: JobListener | undefined
  logger: Logger
}

/**
 * Stops a worker (River's soft stop, then hard stop): nothing more is claimed or started, the local
 * queue is handed back, and running handlers get until `timeoutMs` after the call to finish; then they
 * are interrupted through their signals and their jobs handed back to `pending`, for up to
 * `handBackGraceMs` more. Settles within `timeoutMs + handBackGraceMs` whatever the database does:
 * a statement that never returns is left behind, not waited for.
 */
export async function stopWorker(worker: StoppableWorker, timeoutMs: number): Promise<RunCounts> {
  const { loop, queue, runner, listener, logger } = worker
  loop.stop()
  queue.close()
  listener?.close()
  // The loop's statement in flight may still bring jobs (the closed queue hands them back), and each
  // run's completion may claim (refill) until it is recorded: the queue settles last.
  const settled = (async () => {
    await loop.finished
    await runner.whenIdle()
    await queue.whenSettled()
  })()
  if (await settleWithin(settled, timeoutMs)) return { ...runner.counts }
  runner.interruptAll(`the worker stopped after waiting ${timeoutMs} ms`)
  if (!(await settleWithin(settled, handBackGraceMs))) {
    logger.warn('nightshift: the worker stopped without the database confirming every hand-back', {
      running: runner.size,
      detail: 'jobs not handed back return to pending when their lease expires',
    })
  }
  return { ...runner.counts }
}
