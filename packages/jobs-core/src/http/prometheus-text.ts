import type { QueueMetrics } from '../queue/queue-metrics.js'

const gauges = [
  ['nightshift_jobs_due', 'Pending jobs that are due now (queue depth).', 'due'],
  [
    'nightshift_jobs_scheduled',
    'Pending jobs not yet due (runAt in the future, retry backoff).',
    'scheduled',
  ],
  ['nightshift_jobs_processing', 'Jobs running, leased to a worker.', 'processing'],
  ['nightshift_oldest_due_job_age_seconds', 'How long the oldest due job has waited.', 'oldestDueSeconds'],
] as const

const perMinute = [
  ['completed', 'completedLastMinute'],
  ['failed', 'failedLastMinute'],
  ['cancelled', 'cancelledLastMinute'],
] as const

/**
 * The queue's metrics in Prometheus' text exposition format (0.0.4), one series per job name: what
 * `GET <base>/metrics` answers, for a server of your own.
 *
 * @example
 * app.get('/metrics', async (_req, res) => {
 *   res.type('text/plain; version=0.0.4').send(prometheusText(await jobs.metrics()))
 * })
 */
export function prometheusText(metrics: QueueMetrics): string {
  const lines: string[] = []
  for (const [name, help, field] of gauges) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`)
    for (const job of metrics.jobs) lines.push(`${name}{job="${label(job.name)}"} ${job[field]}`)
  }
  const runs = 'nightshift_runs_last_minute'
  lines.push(`# HELP ${runs} Runs finished in the last minute, by outcome.`, `# TYPE ${runs} gauge`)
  for (const job of metrics.jobs)
    for (const [outcome, field] of perMinute)
      lines.push(`${runs}{job="${label(job.name)}",outcome="${outcome}"} ${job[field]}`)
  const capped = 'nightshift_runs_last_minute_at_limit'
  lines.push(
    `# HELP ${capped} 1 when more runs finished in the last minute than one scrape reads (the counts are a floor).`,
    `# TYPE ${capped} gauge`,
    `${capped} ${metrics.finishedAtLimit ? 1 : 0}`,
  )
  return `${lines.join('\n')}\n`
}

// Label values escape backslash, double quote and newline (the format's rule).
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}
