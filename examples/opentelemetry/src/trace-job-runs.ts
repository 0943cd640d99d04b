import type { AroundRun } from '@nightshift/jobs-core'
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'

/**
 * One span per job run (`job <name>`, kind consumer), active while the handler runs, so the spans the
 * handler makes (database, HTTP) are its children. A run that throws ends the span with status ERROR
 * and the exception recorded; the attempt and the job's id are attributes.
 *
 * @example
 * const jobs = createJobs({ db, jobs: [sendEmail], aroundRun: traceJobRuns(trace.getTracer('jobs')) })
 */
export function traceJobRuns(tracer: Tracer): AroundRun {
  return (job, run) =>
    tracer.startActiveSpan(
      `job ${job.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nightshift',
          'messaging.operation.type': 'process',
          'nightshift.job.name': job.name,
          'nightshift.job.id': job.jobId,
          'nightshift.job.attempt': job.attempt,
          'nightshift.job.max_attempts': job.maxAttempts,
          'nightshift.worker.id': job.workerId,
        },
      },
      async (span) => {
        try {
          return await run()
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error))
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          })
          throw error
        } finally {
          span.end()
        }
      },
    )
}
