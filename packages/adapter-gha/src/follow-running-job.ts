import * as core from '@actions/core'
import { type Caller, type EndpointAnswer, sendWithRetries } from './send-with-retries.js'

const pollEveryMs = 1000
const finished = new Set(['completed', 'failed', 'cancelled'])

/**
 * After a `202 running` answer: reads `GET <base>/jobs/<id>` (the contract's job route, next to the
 * job's own route) until the job is completed, failed or cancelled, or `caller.deadline` passes.
 * The token needs the `jobs` scope to read it. Returns the last answer read.
 */
export async function followRunningJob(
  caller: Caller,
  jobUrl: URL,
  jobId: string,
): Promise<{ answer: EndpointAnswer; jobStatus: string; finished: boolean }> {
  // The job route sits beside the job's route: …/functions/v1/<job> → …/functions/v1/jobs/<id>.
  const url = new URL(`jobs/${encodeURIComponent(jobId)}`, new URL('.', jobUrl))
  core.info(`the job is still running on the server (job ${jobId}); following it until it finishes`)
  for (;;) {
    const answer = await sendWithRetries(caller, 'GET', url, `/jobs/${encodeURIComponent(jobId)}`)
    const job = answer.json?.job as { status?: unknown; lastError?: unknown } | undefined
    const jobStatus = typeof job?.status === 'string' ? job.status : 'unknown'
    if (answer.status !== 200 || answer.json?.ok !== true) return { answer, jobStatus, finished: false }
    if (finished.has(jobStatus)) return { answer, jobStatus, finished: true }
    if (Date.now() + pollEveryMs >= caller.deadline) return { answer, jobStatus, finished: false }
    await new Promise((resolve) => setTimeout(resolve, pollEveryMs))
  }
}
