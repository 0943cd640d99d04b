import * as core from '@actions/core'
import { jobRouteUrls } from './job-route-urls.js'
import { type Caller, type EndpointAnswer, sendWithRetries } from './send-with-retries.js'

const pollEveryMs = 1000
const finished = new Set(['completed', 'failed', 'cancelled'])

/**
 * After a `202 running` answer: reads `GET /jobs/<id>` (the contract's job route, where
 * `jobRouteUrls` says: a place that answers 404 gives way to the next) until the job is completed,
 * failed or cancelled, or `caller.deadline` passes. The token needs the `jobs` scope to read it.
 * Returns the last answer read.
 */
export async function followRunningJob(
  caller: Caller,
  jobUrl: URL,
  jobId: string,
  functionRoot: URL | undefined,
): Promise<{ answer: EndpointAnswer; jobStatus: string; finished: boolean }> {
  const places = jobRouteUrls(jobUrl, jobId, functionRoot)
  const route = `/jobs/${encodeURIComponent(jobId)}`
  core.info(`the job is still running on the server (job ${jobId}); following it until it finishes`)
  for (;;) {
    let answer = await sendWithRetries(caller, 'GET', places[0] as URL, route)
    while (answer.status === 404 && places.length > 1) {
      places.shift()
      answer = await sendWithRetries(caller, 'GET', places[0] as URL, route)
    }
    const job = answer.json?.job as { status?: unknown; lastError?: unknown } | undefined
    const jobStatus = typeof job?.status === 'string' ? job.status : 'unknown'
    if (answer.status !== 200 || answer.json?.ok !== true) return { answer, jobStatus, finished: false }
    if (finished.has(jobStatus)) return { answer, jobStatus, finished: true }
    if (Date.now() + pollEveryMs >= caller.deadline) return { answer, jobStatus, finished: false }
    await new Promise((resolve) => setTimeout(resolve, pollEveryMs))
  }
}
