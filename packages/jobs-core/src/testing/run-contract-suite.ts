import { sign } from '../http/auth/signed-request.js'
import { contractFailureMessage } from './contract-jobs.js'

/** Options of `runContractSuite`. */
export interface ContractSuiteOptions {
  /** The handler's base URL, with its base path: `http://127.0.0.1:3000/functions/v1`. */
  baseUrl: string
  tokens: {
    /** A token with scope `'*'`. */
    all: string
    /** A token scoped to `['contract-echo']` only; checks the 403 path when given. */
    echoOnly?: string
  }
  /** A signing key with scope `'*'`; checks signed requests when given. */
  signingKey?: string
  /** The handler's `queueRoute`. Default `process-queue`. */
  queueRoute?: string
  /** Default the global fetch. */
  fetch?: typeof fetch
}

/** One check of the suite and whether it held. */
export interface ContractCheckResult {
  name: string
  ok: boolean
  error?: string
}

interface Answer {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

class ContractViolation extends Error {
  override name = 'ContractViolation'
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ContractViolation(message)
}

function errorCode(answer: Answer): unknown {
  return (answer.body.error as { code?: unknown } | undefined)?.code
}

/**
 * Proves a host speaks nightshift's HTTP contract, over real HTTP with plain `fetch` (no test
 * framework): auth, routes, status codes and bodies. The host must register `contractJobs()` and
 * use the default `maxBodyBytes`. Resolves with every check's result, or rejects with an
 * `AggregateError` whose `errors` name each broken check.
 *
 * @example
 * await runContractSuite({ baseUrl: `${server.url}/functions/v1`, tokens: { all: token } })
 */
export async function runContractSuite(options: ContractSuiteOptions): Promise<ContractCheckResult[]> {
  const base = options.baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? fetch
  const queueRoute = options.queueRoute ?? 'process-queue'
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const all = bearer(options.tokens.all)

  async function call(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
    const response = await doFetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body,
    })
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new ContractViolation(`${method} ${path}: the body is not JSON: ${text.slice(0, 200)}`)
    }
    expect(
      typeof parsed === 'object' && parsed !== null && typeof (parsed as { ok?: unknown }).ok === 'boolean',
      `${method} ${path}: the body has no ok field`,
    )
    return { status: response.status, headers: response.headers, body: parsed as Record<string, unknown> }
  }

  const checks: [string, () => Promise<void>][] = [
    [
      'GET health answers counts without a token',
      async () => {
        const answer = await call('GET', '/health')
        expect(answer.status === 200 || answer.status === 503, `status ${answer.status}`)
        expect(
          typeof (answer.body.counts as Record<string, unknown>)?.pending === 'number',
          'no counts.pending',
        )
        expect(!JSON.stringify(answer.body).includes('payload'), 'health reveals payloads')
      },
    ],
    [
      'a missing token is 401 unauthorized',
      async () => {
        const answer = await call('POST', '/contract-echo', {}, '{}')
        expect(answer.status === 401 && errorCode(answer) === 'unauthorized', `got ${answer.status}`)
      },
    ],
    [
      'a wrong token is 401 and is not echoed',
      async () => {
        const answer = await call('POST', '/contract-echo', bearer('contract-wrong-token'), '{}')
        expect(answer.status === 401, `got ${answer.status}`)
        expect(!JSON.stringify(answer.body).includes('contract-wrong-token'), 'the token is echoed')
      },
    ],
    [
      'POST <job> runs it and answers its result',
      async () => {
        // force and force_invoke are control fields: removed before the job's (strict) input is validated.
        const answer = await call(
          'POST',
          '/contract-echo',
          all,
          '{"message":"hello","force":false,"force_invoke":false}',
        )
        expect(
          answer.status === 200 && answer.body.ok === true,
          `got ${answer.status} ${JSON.stringify(answer.body)}`,
        )
        expect(answer.body.status === 'completed', `status ${String(answer.body.status)}`)
        expect((answer.body.result as { echo?: unknown })?.echo === 'hello', 'the result is not the echo')
        expect(typeof answer.body.jobId === 'string', 'no jobId')
      },
    ],
    [
      'an empty body is {} for a job without required input',
      async () => {
        const answer = await call('POST', '/contract-echo', all)
        expect(answer.status === 200 && answer.body.ok === true, `got ${answer.status}`)
      },
    ],
    [
      'invalid input is 400 with issues',
      async () => {
        const extra = await call('POST', '/contract-echo', all, '{"message":"hi","unknown":1}')
        expect(extra.status === 400, `an unknown field got ${extra.status}`)
        const answer = await call('POST', '/contract-echo', all, '{"message":42}')
        const issues = (answer.body.error as { issues?: unknown[] })?.issues
        expect(answer.status === 400 && errorCode(answer) === 'invalid_input', `got ${answer.status}`)
        expect(Array.isArray(issues) && issues.length > 0, 'no issues listed')
      },
    ],
    [
      'an unknown job is 404 unknown_job',
      async () => {
        const answer = await call('POST', '/contract-no-such-job', all, '{}')
        expect(answer.status === 404 && errorCode(answer) === 'unknown_job', `got ${answer.status}`)
      },
    ],
    [
      'a wrong method is 405 with Allow',
      async () => {
        const answer = await call('GET', '/contract-echo', all)
        expect(answer.status === 405 && errorCode(answer) === 'method_not_allowed', `got ${answer.status}`)
        expect(answer.headers.get('allow')?.includes('POST'), 'no Allow: POST')
      },
    ],
    [
      'a body that is not JSON is 415',
      async () => {
        const answer = await call('POST', '/contract-echo', { ...all, 'content-type': 'text/plain' }, 'hello')
        expect(answer.status === 415, `got ${answer.status}`)
      },
    ],
    [
      'a body over 1 MiB is 413',
      async () => {
        const answer = await call(
          'POST',
          '/contract-echo',
          all,
          JSON.stringify({ message: 'x'.repeat(1_100_000) }),
        )
        expect(answer.status === 413 && errorCode(answer) === 'payload_too_large', `got ${answer.status}`)
      },
    ],
    [
      'a failing job is 502 job_failed with its message and id, readable at GET jobs/<id>',
      async () => {
        const answer = await call('POST', '/contract-fail', all, '{}')
        expect(answer.status === 502 && answer.body.ok === false, `got ${answer.status}`)
        expect(errorCode(answer) === 'job_failed', 'code is not job_failed')
        // contract-fail has attempts left: the answer says it will run again.
        expect(answer.body.status === 'retrying', `status ${String(answer.body.status)}, not retrying`)
        const message = (answer.body.error as { message?: string }).message ?? ''
        expect(message.includes(contractFailureMessage), `message ${message}`)
        expect(!/\n\s+at /.test(JSON.stringify(answer.body)), 'a stack trace is in the body')
        const job = await call('GET', `/jobs/${String(answer.body.jobId)}`, all)
        expect(job.status === 200, `GET jobs/<id> got ${job.status}`)
        const record = job.body.job as { attempts?: number; lastError?: string; status?: string }
        expect(
          record.attempts === 1 && record.lastError?.includes(contractFailureMessage),
          'attempts/lastError',
        )
        expect(record.status === 'pending', `a retry should be pending, got ${record.status}`)
      },
    ],
    [
      'GET jobs/<id> of no job is 404, and needs a token',
      async () => {
        const missing = await call('GET', '/jobs/987654321', all)
        expect(missing.status === 404, `got ${missing.status}`)
        const anonymous = await call('GET', '/jobs/1')
        expect(anonymous.status === 401, `without a token got ${anonymous.status}`)
      },
    ],
    [
      'POST <queue route> { limit } processes and reports counts',
      async () => {
        const answer = await call('POST', `/${queueRoute}`, all, '{"limit":10}')
        expect(answer.status === 200 && answer.body.ok === true, `got ${answer.status}`)
        for (const field of ['claimed', 'completed', 'retried', 'failed', 'durationMs']) {
          expect(typeof answer.body[field] === 'number', `no ${field}`)
        }
        const bad = await call('POST', `/${queueRoute}`, all, '{"limit":1001}')
        expect(bad.status === 400, `limit 1001 got ${bad.status}`)
      },
    ],
    [
      'a scheduled job runs once per slot; force runs it again, recorded as forced',
      async () => {
        const first = await call('POST', '/contract-scheduled', all, '{}')
        expect(first.status === 200, `first got ${first.status}`)
        expect(first.body.status === 'completed' || first.body.status === 'already-done', 'first status')
        expect(typeof first.body.slot === 'string', 'no slot')
        const second = await call('POST', '/contract-scheduled', all, '{"force":false}')
        expect(
          second.status === 200 && second.body.status === 'already-done',
          `second got ${second.body.status}`,
        )
        expect(second.body.jobId === first.body.jobId, 'the second trigger made another job')
        const forced = await call('POST', '/contract-scheduled', all, '{"force_invoke":true}')
        expect(
          forced.status === 200 && forced.body.status === 'completed',
          `forced got ${forced.body.status}`,
        )
        expect(forced.body.forced === true && forced.body.jobId !== first.body.jobId, 'not a forced new run')
      },
    ],
    [
      'POST tick answers what it enqueued',
      async () => {
        const answer = await call('POST', '/tick', all, '{}')
        expect(answer.status === 200 && answer.body.ok === true, `got ${answer.status}`)
        expect(Array.isArray(answer.body.enqueued), 'no enqueued list')
      },
    ],
  ]
  if (options.tokens.echoOnly) {
    const scoped = bearer(options.tokens.echoOnly)
    checks.push([
      'a token scoped to another job is 403',
      async () => {
        const answer = await call('POST', '/contract-fail', scoped, '{}')
        expect(answer.status === 403 && errorCode(answer) === 'forbidden', `got ${answer.status}`)
        const tick = await call('POST', '/tick', scoped, '{}')
        expect(tick.status === 403, `tick with a job-scoped token got ${tick.status}`)
        const allowed = await call('POST', '/contract-echo', scoped, '{}')
        expect(allowed.status === 200, `its own job got ${allowed.status}`)
      },
    ])
  }
  const signingKey = options.signingKey
  if (signingKey) {
    checks.push([
      'a signed request passes once; an old one, one for another route or a second use is 401',
      async () => {
        // Signed for the route relative to the base, whatever prefix the host mounts the handler at.
        const body = JSON.stringify({ message: `signed ${crypto.randomUUID()}` })
        const request = { method: 'POST', path: '/contract-echo', body }
        const signature = await sign(request, signingKey)
        const fresh = await call('POST', '/contract-echo', { 'x-nightshift-signature': signature }, body)
        expect(fresh.status === 200, `fresh got ${fresh.status}`)
        // contract-echo has no schedule, so each trigger is a new run: one signature makes one.
        const again = await call('POST', '/contract-echo', { 'x-nightshift-signature': signature }, body)
        expect(again.status === 401, `the same signed request sent again got ${again.status}`)
        const elsewhere = await call('POST', '/contract-fail', { 'x-nightshift-signature': signature }, body)
        expect(elsewhere.status === 401, `a signature for another route got ${elsewhere.status}`)
        const old = await sign(request, signingKey, { now: new Date(Date.now() - 3_600_000) })
        const replayed = await call('POST', '/contract-echo', { 'x-nightshift-signature': old }, body)
        expect(replayed.status === 401, `an hour-old signature got ${replayed.status}`)
      },
    ])
  }

  const results: ContractCheckResult[] = []
  for (const [name, run] of checks) {
    try {
      await run()
      results.push({ name, ok: true })
    } catch (error) {
      results.push({ name, ok: false, error: error instanceof Error ? error.message : String(error) })
    }
  }
  const failures = results.filter((result) => !result.ok)
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((failure) => new ContractViolation(`${failure.name}: ${failure.error}`)),
      `${failures.length} of ${results.length} contract checks failed:\n${failures.map((f) => `- ${f.name}: ${f.error}`).join('\n')}`,
    )
  }
  return results
}
