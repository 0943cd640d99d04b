import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  npmStart,
  type StartedServer,
  stopLeftover,
  testSecrets,
} from '../../../examples/express-server/test/npm-start.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js'
import { runAction, withoutMaskCommands } from './run-action.js'
import { stepInputs } from './workflow-step-inputs.js'

// The Action against the example Express server (npm start, real PostgreSQL). The same step against
// the Deno-served Supabase functions: action-bundle-invokes-the-deno-served-supabase-functions.test.ts.

let db: TestDatabase
let server: StartedServer
/** A real HTTP server in front of the example server: counts requests, and fails some on purpose. */
let front: RecordingProxy
let frontUrl: string
let seen: string[]
let failNext: RecordingProxy['failNext']
/** The auth headers of the last request the front server saw: which one carried the token. */
const lastAuthHeaders = () =>
  ['authorization', 'x-scheduler-secret'].filter((name) => front.lastHeaders()[name])

const token = testSecrets.SUPABASE_SERVICE_ROLE_KEY

beforeAll(async () => {
  db = await createTestDatabase('gha_invoke')
  // Zoom half-configured: the Zoom job fails (a missing setting), which is how a job answers ok: false.
  // SCHEDULER_SECRET_HEADER: the server also reads a token from that header, as the original setup's.
  server = await npmStart({
    DATABASE_URL: db.url,
    ZOOM_ACCOUNT_ID: 'zoom-account-without-the-rest',
    SCHEDULER_SECRET_HEADER: 'x-scheduler-secret',
  })
  front = await startRecordingProxy(server.url)
  seen = front.seen
  failNext = front.failNext
  frontUrl = `${front.url}/functions/v1`
}, 120_000)

afterAll(async () => {
  await front?.close()
  if (server) {
    server.terminate()
    await Promise.race([server.exited, new Promise((resolve) => setTimeout(resolve, 15_000))])
    await stopLeftover(server)
  }
  await db?.drop()
}, 60_000)

describe('node dist/index.js against the example Express server', () => {
  /** Everything each run left, with the token it was given. */
  const runs: { everything: string; token: string }[] = []
  const keep = (run: { everything: string }, given = token) =>
    runs.push({ everything: run.everything, token: given })

  it('runs a job: outputs, summary, exit 0', async () => {
    const run = await runAction({
      url: `${frontUrl}/generate-t5-invoices`,
      token,
      force: 'true',
      'dashboard-url': 'http://dashboard.example/functions/v1/dashboard',
    })
    keep(run)
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.outputs, run.stdout).toMatchObject({ ok: 'true', status: '200' })
    // The forced job runs now: in this step's request (completed), or, when the server's own worker
    // claims it first, in the worker while the request waits for it (already-done).
    expect(['completed', 'already-done']).toContain(run.outputs['job-status'])
    expect(run.outputs.processed).toBe(run.outputs['job-status'] === 'completed' ? '1' : '0')
    expect(run.outputs['job-id']).toMatch(/^\d+$/)
    const response = JSON.parse(run.outputs.response ?? '{}')
    expect(response).toMatchObject({
      ok: true,
      status: run.outputs['job-status'],
      forced: true,
      jobId: run.outputs['job-id'],
    })
    expect(response.slot).toMatch(/T01:00:00\.000Z$/)
    expect(run.summary).toContain('nightshift: generate-t5-invoices succeeded')
    expect(run.summary).toContain(`<td>job id</td><td>${run.outputs['job-id']}</td>`)
    expect(run.summary).toContain(`<td>slot</td><td>${response.slot}</td>`)
    expect(run.summary).toContain('href="http://dashboard.example/functions/v1/dashboard"')
  })

  it('reaches the job through supabase-url and function, and a re-run of the slot is already done', async () => {
    const base = frontUrl.replace(/\/functions\/v1$/, '')
    const first = await runAction({ 'supabase-url': base, function: 'escalate-overdue-bookings', token })
    const again = await runAction({ 'supabase-url': base, function: 'escalate-overdue-bookings', token })
    keep(first)
    keep(again)
    expect(first.code).toBe(0)
    expect(again.code).toBe(0)
    expect(again.outputs).toMatchObject({ ok: 'true', 'job-status': 'already-done', processed: '0' })
    expect(again.outputs['job-id']).toBe(first.outputs['job-id'])
  })

  it('sends the token in the header input instead of Authorization', async () => {
    const run = await runAction({
      url: `${frontUrl}/generate-t5-invoices`,
      token: testSecrets.SCHEDULER_SECRET_TOKEN,
      header: 'x-scheduler-secret',
    })
    keep(run, testSecrets.SCHEDULER_SECRET_TOKEN)
    expect(lastAuthHeaders()).toEqual(['x-scheduler-secret'])
    // The scheduler's token is scoped to schedule-create-zoom: read from the header, it is refused
    // here with 403 (not 401: it was found and is valid), and the step says so.
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('403')
    expect(run.stdout).toMatch(/HTTP 403 after 1 attempt: forbidden: .*scope does not reach this route/)
  })

  it('drains the queue route with limit, and reports the counts', async () => {
    const run = await runAction({ url: `${frontUrl}/notification-worker`, token, limit: '5' })
    keep(run)
    expect(run.code, run.stdout).toBe(0)
    const response = JSON.parse(run.outputs.response ?? '{}')
    expect(response.ok).toBe(true)
    expect(run.outputs.processed).toBe(String(response.claimed))
    expect(response.claimed).toBeLessThanOrEqual(5)
    expect(run.summary).toContain('<td>claimed</td>')
  })

  it('retries a 500 and succeeds on the 200 that follows', async () => {
    seen.length = 0
    failNext.push({ status: 500 })
    const run = await runAction({
      url: `${frontUrl}/run-escalation-orchestration`,
      token,
      body: '{"force":false}',
    })
    keep(run)
    expect(run.code, run.stdout).toBe(0)
    expect(seen).toEqual([
      'POST /functions/v1/run-escalation-orchestration',
      'POST /functions/v1/run-escalation-orchestration',
    ])
    expect(run.stdout).toMatch(
      /::warning::POST \/functions\/v1\/run-escalation-orchestration: HTTP 500; attempt 2 in/,
    )
    expect(run.outputs).toMatchObject({ ok: 'true', status: '200' })
  })

  it('waits as long as a 429 answer’s Retry-After says before the next attempt', async () => {
    seen.length = 0
    failNext.push({ status: 429, headers: { 'retry-after': '2' } }, { status: 503 })
    const run = await runAction({ url: `${frontUrl}/run-escalation-orchestration`, token })
    keep(run)
    expect(run.code, run.stdout).toBe(0)
    expect(seen).toHaveLength(3)
    expect(run.stdout).toMatch(/::warning::POST \S+: HTTP 429; attempt 2 in 2 s/)
    // Without Retry-After: exponential backoff, the second wait about 2 s (1 s doubled, up to 20% more).
    expect(run.stdout).toMatch(/::warning::POST \S+: HTTP 503; attempt 3 in 2(\.\d)? s/)
  })

  it('gives up after `retries` more attempts and fails with the last answer', async () => {
    seen.length = 0
    failNext.push({ status: 502 }, { status: 502 })
    const run = await runAction({ url: `${frontUrl}/run-escalation-orchestration`, token, retries: '1' })
    keep(run)
    expect(run.code).toBe(1)
    expect(seen).toHaveLength(2)
    expect(run.stdout).toMatch(
      /::error title=run-escalation-orchestration failed \(nightshift\)::run-escalation-orchestration: HTTP 502 after 2 attempts: the answer is not JSON: upstream trouble/,
    )
    failNext.length = 0
  })

  it('fails on a 401 with a clear annotation, and never retries it', async () => {
    seen.length = 0
    const run = await runAction({
      url: `${frontUrl}/generate-t5-invoices`,
      token: 'not-the-right-token-at-all',
      retries: '3',
    })
    keep(run, 'not-the-right-token-at-all')
    expect(run.code).toBe(1)
    expect(seen).toHaveLength(1)
    expect(run.stdout).not.toContain('::warning::')
    expect(run.stdout).toMatch(
      /::error title=generate-t5-invoices failed \(nightshift\)::generate-t5-invoices: HTTP 401 after 1 attempt: unauthorized: .*check the token secret/,
    )
    expect(run.outputs).toMatchObject({ ok: 'false', status: '401' })
    expect(run.summary).toContain('nightshift: generate-t5-invoices failed')
  })

  it('fails when the job answers ok: false (its handler failed), without retrying it', async () => {
    seen.length = 0
    const run = await runAction({ url: `${frontUrl}/schedule-create-zoom`, token, force: 'true' })
    keep(run)
    expect(run.code).toBe(1)
    expect(seen).toHaveLength(1) // a job_failed 502 is the job's own failure: its retry policy decides
    expect(JSON.parse(run.outputs.response ?? '{}')).toMatchObject({
      ok: false,
      error: { code: 'job_failed' },
    })
    expect(run.outputs.ok).toBe('false')
    expect(run.stdout).toMatch(
      /::error title=schedule-create-zoom failed \(nightshift\)::schedule-create-zoom: HTTP 502 .*job_failed: .*ZOOM_CLIENT_ID/,
    )
  })

  it('refuses a body that is not a JSON object before sending anything', async () => {
    seen.length = 0
    const run = await runAction({ url: `${frontUrl}/generate-t5-invoices`, token, body: '{"force": tru' })
    keep(run)
    expect(run.code).toBe(1)
    expect(seen).toEqual([])
    expect(run.stdout).toMatch(/::error::nightshift: input body is not valid JSON/)
    expect(run.outputs.ok).toBe('false')
  })

  it('runs the step of each checked-in example workflow as GitHub would fill in its inputs', async () => {
    const dir = new URL('../../../examples/github/workflows/', import.meta.url)
    const outcomes: Record<string, string> = {}
    for (const file of readdirSync(dir).sort()) {
      const text = readFileSync(new URL(file, dir), 'utf8')
      // Every job's token secret stands for the service-role key here; the server's scopes are its own.
      const secrets = new Proxy({} as Record<string, string>, {
        get: (_target, name) => (name === 'SUPABASE_URL' ? frontUrl.replace(/\/functions\/v1$/, '') : token),
      })
      const run = await runAction(stepInputs(text, secrets))
      keep(run)
      outcomes[file] = `${run.outputs.ok} ${run.outputs.status}`
    }
    expect(outcomes).toEqual({
      'escalate-overdue-bookings.yaml': 'true 200',
      'generate-monthly-invoices.yaml': 'true 200',
      'generate-t5-invoices.yaml': 'true 200',
      'notification-worker.yaml': 'true 200',
      'run-escalation-orchestration.yaml': 'true 200',
      // Zoom is half-configured in this test's server: the job fails, and so does the step.
      'schedule-create-zoom.yaml': 'false 502',
    })
  })

  it('never shows the token: only the mask command the runner swallows carries it', () => {
    expect(runs.length).toBeGreaterThanOrEqual(17)
    for (const { everything, token: given } of runs) {
      expect(everything).toContain(`::add-mask::${given}`)
      expect(withoutMaskCommands(everything)).not.toContain(given)
    }
  })
})
