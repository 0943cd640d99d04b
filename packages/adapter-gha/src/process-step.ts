import { importJobsModule, openJobs } from '@nightshift/jobs-core/jobs-module'
import type { ProcessInputs } from './action-inputs.js'
import type { StepReport } from './step-report.js'

/**
 * `mode: process`: the queue runs inside the runner, against `database-url`, with the job definitions
 * of `jobs-module`. With `job`, that job's current slot is triggered (once, however often the
 * workflow runs or however late: see `jobs.trigger`); without it, every due slot is enqueued
 * (`jobs.tick`) and the queue drained up to `limit` jobs and the deadline.
 */
export async function processStep(inputs: ProcessInputs): Promise<StepReport> {
  const started = Date.now()
  const deadline = started + inputs.timeoutMs
  const opened = await openJobs(await importJobsModule(inputs.jobsModule), inputs.databaseUrl)
  const base = { status: undefined, dashboardUrl: inputs.dashboardUrl }
  try {
    const { jobs } = opened
    await jobs.migrate()
    if (inputs.job) {
      const result = await jobs.trigger(inputs.job, inputs.input, {
        force: inputs.force,
        waitMs: Math.max(0, deadline - Date.now()),
      })
      const done = result.status === 'completed' || result.status === 'already-done'
      return {
        ...base,
        target: inputs.job,
        ok: done,
        jobId: result.jobId,
        jobStatus: result.status,
        slot: result.slot ?? undefined,
        response: JSON.stringify({ ok: done, ...result }),
        processed: result.status === 'completed' ? 1 : 0,
        counts: undefined,
        durationMs: Date.now() - started,
        failure: done
          ? undefined
          : result.status === 'running'
            ? `${inputs.job}: job ${result.jobId} was still running after timeout-seconds; its lease expires and a later run finishes it`
            : `${inputs.job}: job ${result.jobId} ${result.status}: ${result.error ?? 'no error recorded'}`,
      }
    }
    const tick = await jobs.tick()
    const report = await jobs.process({
      limit: inputs.limit ?? 100,
      deadlineMs: Math.max(1, deadline - Date.now()),
    })
    const { durationMs: _, ...counts } = report
    return {
      ...base,
      target: 'queue',
      ok: report.failed === 0,
      jobId: undefined,
      jobStatus: 'processed',
      slot: undefined,
      response: JSON.stringify({ ok: report.failed === 0, enqueued: tick.enqueued, ...report }),
      processed: report.claimed,
      counts,
      durationMs: Date.now() - started,
      failure:
        report.failed === 0
          ? undefined
          : `queue: ${report.failed} job${report.failed > 1 ? 's' : ''} failed for good (see the failed jobs on the dashboard)`,
    }
  } finally {
    await opened.close()
  }
}
