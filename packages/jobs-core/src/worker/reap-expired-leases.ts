import { releaseExpiredLeases } from '../queue/release-expired-leases.js'
import type { RunnerContext } from './job-runner.js'

// A log line names this many of the jobs it reports at most; the event carries them all.
const namedInLog = 20

/**
 * Returns the jobs whose lease expired to the queue (`releaseExpiredLeases`), and says so: a warning
 * naming them (their worker died, lost its connection or was cut off mid-run) and a `lease:expired`
 * event. Returns how many it released.
 *
 * @example
 * await reapExpiredLeases(deps) // in the worker's loop and at the start of process()
 */
export async function reapExpiredLeases(deps: RunnerContext): Promise<number> {
  const released = await releaseExpiredLeases(deps.executor, deps.schema)
  if (released.length === 0) return 0
  const jobs = released.map((row) => ({
    jobId: row.id,
    name: row.type,
    attempt: row.attempts,
    status: row.status,
  }))
  deps.logger.warn(
    'nightshift: jobs whose lease expired went back to the queue (their worker stopped mid-run)',
    {
      count: jobs.length,
      jobs: jobs
        .slice(0, namedInLog)
        .map((job) => `${job.name}#${job.jobId} attempt ${job.attempt} → ${job.status}`),
    },
  )
  deps.events.emit('lease:expired', { jobs })
  return jobs.length
}
