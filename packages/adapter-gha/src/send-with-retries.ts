import * as core from '@actions/core'
import { sign, signatureHeader } from '@nightshift/jobs-core'
import { retryDelayMs } from './retry-delay.js'

/** One answer of the endpoint: its status, its body as text, and the body parsed when it is JSON. */
export interface EndpointAnswer {
  status: number
  text: string
  json: ContractBody | undefined
  attempts: number
}

/** The fields of a contract answer the step reads; every answer carries `ok`. */
export interface ContractBody {
  ok?: unknown
  status?: unknown
  jobId?: unknown
  slot?: unknown
  error?: { code?: unknown; message?: unknown }
  [field: string]: unknown
}

/** How to reach the endpoint and prove who is calling. */
export interface Caller {
  token: string | undefined
  header: string | undefined
  signingKey: string | undefined
  retries: number
  deadline: number
}

/** The endpoint could not be reached (DNS, refused connection, timeout) after every attempt. */
export class UnreachableError extends Error {
  override name = 'UnreachableError'
}

function parse(text: string): ContractBody | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as ContractBody)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether an answer is worth another attempt: 429 and 5xx are the server's or a gateway's passing
 * trouble. A 4xx never is (the same request fails the same way), and neither is the contract's 502
 * `job_failed`: the server worked and the job's own retry policy decides what happens next.
 */
function retryable(status: number, body: ContractBody | undefined): boolean {
  if (status === 429) return true
  if (status < 500) return false
  return body?.error?.code !== 'job_failed'
}

async function headersFor(caller: Caller, method: string, route: string, body: string) {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (method === 'POST') headers['content-type'] = 'application/json'
  if (caller.token) {
    if (caller.header) headers[caller.header] = caller.token
    else headers.authorization = `Bearer ${caller.token}`
  }
  if (caller.signingKey) {
    // Signed anew on every attempt: a signature that made a run is accepted once.
    headers[signatureHeader] = await sign({ method, path: route, body }, caller.signingKey)
  }
  return headers
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Sends one request, retrying network errors, 429 and 5xx (see `retryable`) up to `caller.retries`
 * more times with `retryDelayMs`, never past `caller.deadline`. `route` is the path the handler
 * sees (`/<job>`, `/jobs/<id>`), which a signature covers.
 */
export async function sendWithRetries(
  caller: Caller,
  method: 'GET' | 'POST',
  url: URL,
  route: string,
  body = '',
): Promise<EndpointAnswer> {
  for (let attempt = 0; ; attempt++) {
    const remaining = caller.deadline - Date.now()
    let answer: EndpointAnswer | undefined
    let failure: unknown
    try {
      const response = await fetch(url, {
        method,
        headers: await headersFor(caller, method, route, body),
        body: method === 'POST' ? body : undefined,
        signal: AbortSignal.timeout(Math.max(1, remaining)),
      })
      const text = await response.text()
      answer = { status: response.status, text, json: parse(text), attempts: attempt + 1 }
      if (!retryable(answer.status, answer.json)) return answer
      failure = `HTTP ${answer.status}`
      const wait = retryDelayMs(attempt, response.headers.get('retry-after'))
      if (attempt >= caller.retries || Date.now() + wait >= caller.deadline) return answer
      core.warning(
        `${method} ${url.pathname}: ${failure}; attempt ${attempt + 2} in ${Math.round(wait / 100) / 10} s`,
      )
      await sleep(wait)
      continue
    } catch (error) {
      failure = error
    }
    const why =
      failure instanceof Error
        ? `${failure.message}${failure.cause instanceof Error ? ` (${failure.cause.message})` : ''}`
        : String(failure)
    const wait = retryDelayMs(attempt, null)
    if (attempt >= caller.retries || Date.now() + wait >= caller.deadline) {
      throw new UnreachableError(
        `${method} ${url.host}${url.pathname} failed after ${attempt + 1} attempt${attempt ? 's' : ''}: ${why}`,
      )
    }
    core.warning(
      `${method} ${url.pathname}: ${why}; attempt ${attempt + 2} in ${Math.round(wait / 100) / 10} s`,
    )
    await sleep(wait)
  }
}
