import { readdirSync, readFileSync } from 'node:fs'
import { createBookingQueue, readBookingConfig } from '@nightshift/example-booking'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { secrets, startBookingFunctions } from '../../../examples/supabase/test/booking-functions.js'
import { type DenoFunction, startDenoFunction } from '../../../test-support/deno-function.js'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js'
import { type ActionRun, runAction, withoutMaskCommands } from './run-action.js'
import { stepInputs } from './workflow-step-inputs.js'

// The Action against the example's Supabase functions, each in real Deno behind PgBouncer in
// transaction mode, reached through a gateway that maps /functions/v1/<name> to the function, as
// Supabase does; a recording proxy in front counts what the step sent. Plus one function of this
// test's own (functions/slow-report) whose job outlives its deadline, behind the same gateway.

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let project: Awaited<ReturnType<typeof startBookingFunctions>>
let slow: DenoFunction
let proxy: RecordingProxy
/** What a workflow's SUPABASE_URL secret would be: functions at `<supabaseUrl>/functions/v1/<name>`. */
let supabaseUrl: string

const serviceRoleKey = secrets.SUPABASE_SERVICE_ROLE_KEY
/** The slow-report function's NIGHTSHIFT_SIGNING_KEY: signed requests instead of a token. */
const signingKey = 'signing-key-slow-report-0123456789'

beforeAll(async () => {
  if (missing) return
  // The original setup's cron sent its token in the header SCHEDULER_SECRET_HEADER names.
  project = await startBookingFunctions('gha_supabase', { SCHEDULER_SECRET_HEADER: 'x-scheduler-secret' })
  const slowEnv = { ...project.env, NIGHTSHIFT_SIGNING_KEY: signingKey }
  slow = await startDenoFunction('packages/adapter-gha/test/functions/slow-report/index.ts', slowEnv, {
    config: 'packages/adapter-gha/test/functions/deno.json',
  })
  project.gateway.route('slow-report', slow.url)
  proxy = await startRecordingProxy(project.gateway.url)
  supabaseUrl = proxy.url
}, 180_000)

afterAll(async () => {
  await proxy?.close()
  await slow?.kill()
  await project?.close()
}, 60_000)

describe.skipIf(missing)('node dist/index.js against the Deno-served Supabase functions', () => {
  /** Everything each run left, with the secret it was given. */
  const runs: { everything: string; token: string }[] = []
  const keep = (run: ActionRun, given: string) => {
    runs.push({ everything: run.everything, token: given })
    return run
  }

  it('runs a job through supabase-url and function: outputs, summary, exit 0', async () => {
    proxy.seen.length = 0
    const run = keep(
      await runAction({
        'supabase-url': supabaseUrl,
        function: 'generate-t5-invoices',
        token: serviceRoleKey,
        force: 'true',
        'dashboard-url': `${supabaseUrl}/functions/v1/nightshift/dashboard`,
      }),
      serviceRoleKey,
    )
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(proxy.seen).toEqual(['POST /functions/v1/generate-t5-invoices'])
    expect(run.outputs, run.stdout).toMatchObject({ ok: 'true', status: '200', 'job-status': 'completed' })
    expect(run.outputs['job-id']).toMatch(/^\d+$/)
    const response = JSON.parse(run.outputs.response ?? '{}')
    expect(response).toMatchObject({
      ok: true,
      status: 'completed',
      forced: true,
      jobId: run.outputs['job-id'],
    })
    const { rows } = await project.pool.query('select type, status from nightshift.jobs where id = $1', [
      run.outputs['job-id'],
    ])
    expect(rows).toEqual([{ type: 'generate-t5-invoices', status: 'completed' }])
    expect(run.summary).toContain('nightshift: generate-t5-invoices succeeded')
    expect(run.summary).toContain(`<td>job id</td><td>${run.outputs['job-id']}</td>`)
    expect(run.summary).toContain(`<td>slot</td><td>${response.slot}</td>`)
    expect(run.summary).toContain(`href="${supabaseUrl}/functions/v1/nightshift/dashboard"`)
  })

  it('reaches the function through url too, and a re-run of the slot is already done', async () => {
    const url = `${supabaseUrl}/functions/v1/escalate-overdue-bookings`
    const first = keep(await runAction({ url, token: serviceRoleKey }), serviceRoleKey)
    const again = keep(await runAction({ url, token: serviceRoleKey }), serviceRoleKey)
    expect(first.code, first.stdout).toBe(0)
    expect(first.outputs).toMatchObject({ ok: 'true', status: '200', 'job-status': 'completed' })
    expect(again.code).toBe(0)
    expect(again.outputs).toMatchObject({ ok: 'true', 'job-status': 'already-done', processed: '0' })
    expect(again.outputs['job-id']).toBe(first.outputs['job-id'])
  })

  it('sends a scoped CRON_SECRET to the one function its scope reaches', async () => {
    const run = keep(
      await runAction({
        'supabase-url': supabaseUrl,
        function: 'run-escalation-orchestration',
        token: secrets.CRON_SECRET,
      }),
      secrets.CRON_SECRET,
    )
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs).toMatchObject({ ok: 'true', status: '200' })
    const beyond = keep(
      await runAction({
        'supabase-url': supabaseUrl,
        function: 'generate-monthly-invoices',
        token: secrets.CRON_SECRET,
      }),
      secrets.CRON_SECRET,
    )
    expect(beyond.code).toBe(1)
    expect(beyond.outputs).toMatchObject({ ok: 'false', status: '403' })
    expect(beyond.stdout).toMatch(
      /::error title=generate-monthly-invoices failed \(nightshift\)::generate-monthly-invoices: HTTP 403 after 1 attempt: forbidden: .*scope does not reach this route/,
    )
  })

  it('sends the token in the header input where the original setup used SCHEDULER_SECRET_HEADER', async () => {
    proxy.seen.length = 0
    const run = keep(
      await runAction({
        url: `${supabaseUrl}/functions/v1/schedule-create-zoom`,
        token: secrets.SCHEDULER_SECRET_TOKEN,
        header: 'x-scheduler-secret',
      }),
      secrets.SCHEDULER_SECRET_TOKEN,
    )
    expect(run.code, run.stdout).toBe(0)
    expect(proxy.seen).toEqual(['POST /functions/v1/schedule-create-zoom'])
    const headers = proxy.lastHeaders()
    expect(headers['x-scheduler-secret']).toBe(secrets.SCHEDULER_SECRET_TOKEN)
    expect(headers.authorization).toBeUndefined()
    expect(run.outputs).toMatchObject({ ok: 'true', status: '200' })
    expect(['completed', 'already-done']).toContain(run.outputs['job-status'])
  })

  it('fails on a wrong token with a clear annotation after exactly one request', async () => {
    proxy.seen.length = 0
    const wrong = 'not-the-service-role-key-at-all'
    const run = keep(
      await runAction({
        'supabase-url': supabaseUrl,
        function: 'generate-t5-invoices',
        token: wrong,
        retries: '3',
      }),
      wrong,
    )
    expect(run.code).toBe(1)
    expect(proxy.seen).toEqual(['POST /functions/v1/generate-t5-invoices'])
    expect(run.stdout).not.toContain('::warning::')
    expect(run.stdout).toMatch(
      /::error title=generate-t5-invoices failed \(nightshift\)::generate-t5-invoices: HTTP 401 after 1 attempt: unauthorized: .*check the token secret/,
    )
    expect(run.outputs).toMatchObject({ ok: 'false', status: '401' })
    expect(run.summary).toContain('nightshift: generate-t5-invoices failed')
  })

  it('drains notification-worker with limit: as many jobs as the limit, the rest on the next run', async () => {
    const { jobs } = createBookingQueue({
      db: project.pool,
      config: readBookingConfig({ BOOKING_DELIVERY: 'outbox' }),
    })
    const ids: string[] = []
    for (let i = 0; i < 7; i++) {
      const job = await jobs.enqueue('send-email', {
        to: `student${i}@example.com`,
        template: 'admin_alert',
        values: { subject: 'drain', detail: String(i) },
      })
      ids.push(job.id)
    }
    await jobs.close()
    const pending = async () =>
      (
        await project.pool.query('select id from nightshift.jobs where id = any($1) and status = $2', [
          ids,
          'pending',
        ])
      ).rowCount
    const input = { 'supabase-url': supabaseUrl, function: 'notification-worker', token: serviceRoleKey }
    const first = keep(await runAction({ ...input, limit: '5' }), serviceRoleKey)
    expect(first.code, first.stdout).toBe(0)
    expect(JSON.parse(first.outputs.response ?? '{}')).toMatchObject({ ok: true, claimed: 5, completed: 5 })
    expect(first.outputs.processed).toBe('5')
    expect(first.summary).toContain('<td>claimed</td><td>5</td>')
    expect(await pending()).toBe(2)
    const second = keep(await runAction({ ...input, limit: '5' }), serviceRoleKey)
    expect(second.outputs).toMatchObject({ ok: 'true', processed: '2' })
    expect(await pending()).toBe(0)
  })

  describe('a job that outlives the function’s deadline', () => {
    it('is answered 202 and followed through GET /functions/v1/<function>/jobs/<id> to its end', async () => {
      proxy.seen.length = 0
      const run = keep(
        await runAction({ 'supabase-url': supabaseUrl, function: 'slow-report', token: serviceRoleKey }),
        serviceRoleKey,
      )
      expect(run.code, run.stdout).toBe(0)
      expect(run.stdout).toContain('the job is still running on the server')
      const jobId = run.outputs['job-id']
      expect(jobId).toMatch(/^\d+$/)
      expect(proxy.seen[0]).toBe('POST /functions/v1/slow-report')
      expect(proxy.seen.length).toBeGreaterThan(1)
      expect(
        proxy.seen.slice(1).every((line) => line === `GET /functions/v1/slow-report/jobs/${jobId}`),
      ).toBe(true)
      expect(run.outputs).toMatchObject({
        ok: 'true',
        status: '200',
        'job-status': 'completed',
        processed: '1',
      })
      expect(JSON.parse(run.outputs.response ?? '{}')).toMatchObject({
        ok: true,
        job: { id: jobId, status: 'completed', result: { rows: 3, attempt: 1 } },
      })
    })

    it('is followed with the url input too, and with a secret scoped to the job and `jobs`', async () => {
      proxy.seen.length = 0
      const run = keep(
        await runAction({ url: `${supabaseUrl}/functions/v1/slow-report`, token: secrets.CRON_SECRET }),
        secrets.CRON_SECRET,
      )
      expect(run.code, run.stdout).toBe(0)
      expect(run.outputs).toMatchObject({ ok: 'true', 'job-status': 'completed' })
      // Given a url, the step looks beside the job's route first, where a server with a base path
      // serves it; the gateway has no function named jobs (404), and the function's own route answers.
      const jobId = run.outputs['job-id'] as string
      expect(proxy.seen.slice(0, 3)).toEqual([
        'POST /functions/v1/slow-report',
        `GET /functions/v1/jobs/${jobId}`,
        `GET /functions/v1/slow-report/jobs/${jobId}`,
      ])
      expect(
        proxy.seen.slice(3).every((line) => line === `GET /functions/v1/slow-report/jobs/${jobId}`),
      ).toBe(true)
    })

    it('is followed with signed requests when the step has a signing key and no token', async () => {
      proxy.seen.length = 0
      const run = keep(
        await runAction({ 'supabase-url': supabaseUrl, function: 'slow-report', 'signing-key': signingKey }),
        signingKey,
      )
      expect(run.code, run.stdout).toBe(0)
      expect(run.outputs).toMatchObject({ ok: 'true', 'job-status': 'completed' })
      expect(
        proxy.seen.filter((line) => line.startsWith('GET /functions/v1/slow-report/jobs/')).length,
      ).toBeGreaterThan(0)
    })

    it('fails the step, saying so, when the secret may start the job but not read it (no `jobs` scope)', async () => {
      const run = keep(
        await runAction({
          'supabase-url': supabaseUrl,
          function: 'slow-report',
          token: secrets.SCHEDULER_SECRET_TOKEN,
        }),
        secrets.SCHEDULER_SECRET_TOKEN,
      )
      expect(run.code).toBe(1)
      expect(run.outputs).toMatchObject({ ok: 'false', status: '403' })
      expect(run.stdout).toMatch(
        /::error title=slow-report failed \(nightshift\)::slow-report \(reading its job\): HTTP 403 after 1 attempt: forbidden: .*add jobs to the token's scope/,
      )
    })
  })

  it('runs the step of each checked-in example workflow against the functions', async () => {
    const dir = new URL('../../../examples/github/workflows/', import.meta.url)
    const outcomes: Record<string, string> = {}
    for (const file of readdirSync(dir).sort()) {
      // Each job's own token secret is the service role key here: the functions give it every route.
      const given = new Proxy({} as Record<string, string>, {
        get: (_target, name) => (name === 'SUPABASE_URL' ? supabaseUrl : serviceRoleKey),
      })
      const run = keep(
        await runAction(stepInputs(readFileSync(new URL(file, dir), 'utf8'), given)),
        serviceRoleKey,
      )
      outcomes[file] = `${run.outputs.ok} ${run.outputs.status}`
    }
    expect(outcomes).toEqual({
      'escalate-overdue-bookings.yaml': 'true 200',
      'generate-monthly-invoices.yaml': 'true 200',
      'generate-t5-invoices.yaml': 'true 200',
      'notification-worker.yaml': 'true 200',
      'run-escalation-orchestration.yaml': 'true 200',
      'schedule-create-zoom.yaml': 'true 200',
    })
  })

  it('never shows a secret: only the mask command the runner swallows carries it', () => {
    expect(runs.length).toBeGreaterThanOrEqual(19)
    for (const { everything, token } of runs) {
      expect(everything).toContain(`::add-mask::${token}`)
      expect(withoutMaskCommands(everything)).not.toContain(token)
    }
  })
})
