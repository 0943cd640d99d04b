import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { getJob, type JobRecord } from '../queue/get-job.js'

/** True while a job's run is under way or about to be: claimed elsewhere, or due and not yet claimed. */
function unsettled(job: JobRecord | undefined): boolean {
  if (!job) return false
  if (job.status === 'processing') return true
  // A pending job with an error waits for its retry: that attempt's outcome (failed) is known. One not
  // yet due will not run within any sensible wait.
  return job.status === 'pending' && job.errorMessage === null && job.scheduledFor.getTime() <= Date.now()
}

/**
 * Reads a job until its run has an outcome or `deadline` (epoch ms) passes, and returns the last read.
 * For a trigger that finds its slot's job running elsewhere (a worker, the ticker's catch-up, another
 * trigger): its caller waits for that run as it would for its own, instead of answering `running` at
 * once. It polls, from 20 ms up to 250 ms apart: no statement announces a completion (a NOTIFY on
 * every completion would take PostgreSQL's commit-time notify lock on the queue's hottest path), and
 * polling works the same through a transaction-mode pooler.
 */
export async function awaitJobOutcome(
  executor: SqlExecutor,
  schema: SchemaName,
  jobId: string,
  deadline: number,
): Promise<JobRecord | undefined> {
  let job = await getJob(executor, schema, jobId)
  let pauseMs = 20
  while (unsettled(job)) {
    const left = deadline - Date.now()
    if (left <= 0) break
    await new Promise((resolve) => setTimeout(resolve, Math.min(pauseMs, left)))
    pauseMs = Math.min(pauseMs * 1.5, 250)
    job = await getJob(executor, schema, jobId)
  }
  return job
}
