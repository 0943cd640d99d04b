import type { Jobs } from '@nightshift/jobs-core'
import type { Meter } from '@opentelemetry/api'

/**
 * Metrics of a queue, read by any OpenTelemetry exporter (Prometheus, OTLP):
 * - `nightshift.job.runs` (counter, by `job` and `outcome`: success, retry, failed, cancelled, lost,
 *   released) and `nightshift.job.duration` (histogram, seconds), from this process's runs;
 * - `nightshift.queue.due`, `nightshift.queue.processing` and `nightshift.queue.oldest_due_age` (gauges
 *   by `job`), read from the database with `jobs.metrics()` each time the exporter collects.
 * Returns the function that stops the counters.
 *
 * @example
 * const stop = recordJobMetrics(jobs, metrics.getMeter('jobs'))
 */
export function recordJobMetrics(jobs: Pick<Jobs, 'on' | 'metrics'>, meter: Meter): () => void {
  const runs = meter.createCounter('nightshift.job.runs', { description: 'Job runs by outcome.' })
  const duration = meter.createHistogram('nightshift.job.duration', {
    description: 'How long job runs took.',
    unit: 's',
  })
  const outcomes = ['success', 'retry', 'failed', 'cancelled', 'lost', 'released'] as const
  const stops = outcomes.map((outcome) =>
    jobs.on(`job:${outcome}`, (event) => {
      runs.add(1, { job: event.name, outcome })
      duration.record(event.durationMs / 1000, { job: event.name, outcome })
    }),
  )
  const due = meter.createObservableGauge('nightshift.queue.due', { description: 'Due jobs waiting.' })
  const processing = meter.createObservableGauge('nightshift.queue.processing', {
    description: 'Jobs running.',
  })
  const oldest = meter.createObservableGauge('nightshift.queue.oldest_due_age', {
    description: 'How long the oldest due job has waited.',
    unit: 's',
  })
  const observe = async (result: Parameters<Parameters<Meter['addBatchObservableCallback']>[0]>[0]) => {
    for (const job of (await jobs.metrics()).jobs) {
      result.observe(due, job.due, { job: job.name })
      result.observe(processing, job.processing, { job: job.name })
      result.observe(oldest, job.oldestDueSeconds, { job: job.name })
    }
  }
  meter.addBatchObservableCallback(observe, [due, processing, oldest])
  return () => {
    for (const stop of stops) stop()
    meter.removeBatchObservableCallback(observe, [due, processing, oldest])
  }
}
