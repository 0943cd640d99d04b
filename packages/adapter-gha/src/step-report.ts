import * as core from '@actions/core'

/** What one step did, as its outputs, its job summary and (on failure) its error annotation. */
export interface StepReport {
  /** The job or route the step ran: `generate-t5-invoices`, `notification-worker`, `queue`. */
  target: string
  ok: boolean
  /** The HTTP status of the final answer (`mode: invoke`); empty for `mode: process`. */
  status: number | undefined
  jobId: string | undefined
  /** The job's status: `completed`, `already-done`, `running`, `retrying`, `failed`, or `processed`. */
  jobStatus: string | undefined
  slot: string | undefined
  /** The final answer's body (JSON text). */
  response: string
  /** Jobs run by this step, when the answer says. */
  processed: number | undefined
  /** Counts of a process report (claimed, completed, retried, failed, …). */
  counts: Record<string, number> | undefined
  durationMs: number
  dashboardUrl: string | undefined
  /** Why the step failed; undefined when it succeeded. */
  failure: string | undefined
}

// An output is an environment file line, not a place for megabytes.
const longestResponse = 64 * 1024

// The summary is HTML: text from the server (an error message) must not become markup.
function escaped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function cell(value: string | number | undefined): string {
  return value === undefined || value === '' ? '–' : escaped(String(value))
}

/**
 * Sets the outputs (`ok`, `status`, `job-id`, `job-status`, `response`, `processed`), writes the job
 * summary, and fails the step with an error annotation saying what failed when `report.failure` is
 * set (exit code 1, as `core.setFailed`, with a title naming the target).
 */
export async function reportStep(report: StepReport): Promise<void> {
  core.setOutput('ok', String(report.ok))
  core.setOutput('status', report.status === undefined ? '' : String(report.status))
  core.setOutput('job-id', report.jobId ?? '')
  core.setOutput('job-status', report.jobStatus ?? '')
  core.setOutput('response', report.response.slice(0, longestResponse))
  core.setOutput('processed', report.processed === undefined ? '' : String(report.processed))
  const rows = [
    ['job', escaped(report.target)],
    ['result', report.ok ? 'ok' : 'failed'],
    ['HTTP status', cell(report.status)],
    ['job status', cell(report.jobStatus)],
    ['job id', cell(report.jobId)],
    ['slot', cell(report.slot)],
    ['processed', cell(report.processed)],
    ...Object.entries(report.counts ?? {}).map(([name, count]) => [name, String(count)]),
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
  ]
  if (process.env.GITHUB_STEP_SUMMARY) {
    const summary = core.summary
      .addHeading(`nightshift: ${report.target} ${report.ok ? 'succeeded' : 'failed'}`, 3)
      .addTable([
        [
          { data: 'what', header: true },
          { data: 'value', header: true },
        ],
        ...rows,
      ])
    if (report.failure) summary.addRaw(`<p><strong>Failure:</strong> ${escaped(report.failure)}</p>`, true)
    if (report.dashboardUrl) summary.addLink('Open the nightshift dashboard', report.dashboardUrl)
    await summary.write()
  }
  if (report.failure) {
    core.error(report.failure, { title: `${report.target} failed (nightshift)` })
    process.exitCode = core.ExitCode.Failure
  } else {
    core.info(`nightshift: ${report.target}: ${report.jobStatus ?? 'ok'}`)
  }
}
