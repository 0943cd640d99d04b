import type { InvokeInputs } from './action-inputs.js'
import { followRunningJob } from './follow-running-job.js'
import { type ContractBody, type EndpointAnswer, sendWithRetries } from './send-with-retries.js'
import type { StepReport } from './step-report.js'

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/**
 * What failed, from a contract answer: its error code and message, or the status alone. `readingJob`:
 * the answer is to `GET /jobs/<id>`, which a token reaches with the `jobs` scope.
 */
function failureOf(target: string, answer: EndpointAnswer, readingJob = false): string {
  const error = answer.json?.error
  const code = text(error?.code)
  const message = text(error?.message)
  const what = message
    ? `${code ? `${code}: ` : ''}${message}`
    : answer.json?.ok === false
      ? 'the answer says ok: false'
      : answer.json
        ? `the answer is not nightshift's: ${answer.text.slice(0, 200)}`
        : `the answer is not JSON: ${answer.text.slice(0, 200)}`
  const hint =
    answer.status === 401
      ? ' (check the token secret, and the header input if the server reads another header; 4xx answers are not retried)'
      : answer.status === 403 && readingJob
        ? " (the token's scope reaches the job but not its status: add jobs to the token's scope)"
        : answer.status === 403
          ? " (the token's scope does not reach this route)"
          : ''
  return `${target}: HTTP ${answer.status} after ${answer.attempts} attempt${answer.attempts > 1 ? 's' : ''}: ${what}${hint}`
}

function processedOf(body: ContractBody | undefined): number | undefined {
  if (typeof body?.claimed === 'number') return body.claimed
  if (body?.status === 'completed') return 1
  if (body?.status === 'already-done') return 0
  return undefined
}

function countsOf(body: ContractBody | undefined): Record<string, number> | undefined {
  if (typeof body?.claimed !== 'number') return undefined
  const counts: Record<string, number> = {}
  for (const name of [
    'claimed',
    'completed',
    'retried',
    'failed',
    'cancelled',
    'snoozed',
    'released',
    'running',
  ]) {
    if (typeof body[name] === 'number') counts[name] = body[name] as number
  }
  return counts
}

/**
 * `mode: invoke`: POSTs the body to the job's route (the HTTP contract), retrying what is worth it,
 * follows a `202 running` answer to the job's end, and says how it went. Never throws for an answer;
 * throws only when the endpoint cannot be reached.
 */
export async function invokeStep(inputs: InvokeInputs): Promise<StepReport> {
  const started = Date.now()
  const url = new URL(inputs.url)
  const route = `/${url.pathname.split('/').filter(Boolean).at(-1) ?? ''}`
  const target = decodeURIComponent(route.slice(1)) || url.host
  const caller = { ...inputs, deadline: started + inputs.timeoutMs }
  let answer = await sendWithRetries(caller, 'POST', url, route, JSON.stringify(inputs.body))
  const first = answer.json
  let jobStatus = text(first?.status)
  let processed = processedOf(first)
  let failure: string | undefined
  if (answer.status === 202 && answer.json?.ok === true && text(first?.jobId)) {
    const functionRoot = inputs.functionRoot === undefined ? undefined : new URL(inputs.functionRoot)
    const followed = await followRunningJob(caller, url, text(first?.jobId) as string, functionRoot)
    answer = followed.answer
    jobStatus = followed.jobStatus
    processed = jobStatus === 'completed' ? 1 : 0
    if (answer.status !== 200 || answer.json?.ok !== true)
      failure = failureOf(`${target} (reading its job)`, answer, true)
    else if (!followed.finished) {
      failure = `${target}: job ${text(first?.jobId)} was still ${jobStatus} after timeout-seconds (${inputs.timeoutMs / 1000} s); it goes on on the server`
    } else if (jobStatus !== 'completed') {
      const job = answer.json?.job as { lastError?: unknown } | undefined
      failure = `${target}: job ${text(first?.jobId)} ended ${jobStatus}: ${text(job?.lastError) ?? 'no error recorded'}`
    }
  } else if (answer.status < 200 || answer.status > 299 || answer.json?.ok !== true) {
    failure = failureOf(target, answer)
  }
  return {
    target,
    ok: failure === undefined,
    status: answer.status,
    jobId: text(first?.jobId),
    jobStatus,
    slot: text(first?.slot),
    response: answer.text,
    processed,
    counts: countsOf(answer.json),
    durationMs: Date.now() - started,
    dashboardUrl: inputs.dashboardUrl,
    failure,
  }
}
