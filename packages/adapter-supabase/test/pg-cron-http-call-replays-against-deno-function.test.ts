import { readFile } from 'node:fs/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { secrets, serveBookingFunctions } from '../../../examples/supabase/test/booking-functions.js'
import { insertOverdueT5Booking } from '../../../examples/supabase/test/overdue-t5-booking.js'
import {
  type PrivatePostgres,
  privatePostgresMissing,
  startPrivatePostgres,
} from '../../../test-support/private-postgres.js'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import {
  installPgNetAndVaultStandIns,
  type RecordedRequest,
  replayRecordedRequest,
} from './replay-recorded-request.js'
import { pushExampleMigrations } from './supabase-db-push.js'

// Supabase Cron over HTTP, end to end on the booking example: its migrations pushed by the Supabase CLI
// into the database pg_cron lives in (a real pg_cron cluster), its committed schedule-http.sql installed
// there, and its Edge Functions in real Deno behind PgBouncer on that database. pg_net and Vault are not
// available here: stand-ins record what `net.http_post` was asked to send, and each recorded request is
// replayed for real through the functions gateway to the Deno-served function.
const missing = privatePostgresMissing({ pgCron: true }) ?? pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

const scheduleHttp = new URL('../../../examples/supabase/supabase/cron/schedule-http.sql', import.meta.url)
const vaultUrl = 'https://project-ref.supabase.co/functions/v1'
let cluster: PrivatePostgres
let client: pg.Client
let served: Awaited<ReturnType<typeof serveBookingFunctions>>

beforeAll(async () => {
  if (missing) return
  cluster = await startPrivatePostgres({ pgCron: true, port: 5433 })
  await pushExampleMigrations(cluster.url())
  client = new pg.Client({ connectionString: cluster.url() })
  await client.connect()
  await installPgNetAndVaultStandIns(client)
  // The service role key reaches every function; the example's CRON_SECRET only run-escalation-orchestration.
  await client.query(
    "insert into vault.stand_in_secrets values ('nightshift_functions_url', $1), ('nightshift_cron_token', $2)",
    [vaultUrl, secrets.SUPABASE_SERVICE_ROLE_KEY],
  )
  await client.query(await readFile(scheduleHttp, 'utf8'))
  served = await serveBookingFunctions(new URL(cluster.url()), [
    'generate-t5-invoices',
    'escalate-overdue-bookings',
    'notification-worker',
  ])
}, 120_000)

afterAll(async () => {
  await served?.close()
  await client?.end()
  await cluster?.remove()
})

/** Runs the command pg_cron stores for `jobname`, as pg_cron runs it; the request it recorded. */
async function fire(jobname: string): Promise<RecordedRequest> {
  const { rows } = await client.query('select command from cron.job where jobname = $1', [jobname])
  expect(rows).toHaveLength(1)
  const { rows: made } = await client.query<{ request_id: string }>(rows[0].command)
  const { rows: recorded } = await client.query<RecordedRequest>(
    'select url, body, headers, timeout_milliseconds from net.recorded_requests where id = $1',
    [made[0]?.request_id],
  )
  expect(recorded).toHaveLength(1)
  return recorded[0] as RecordedRequest
}

/**
 * The first request pg_cron's own firing of `jobname` recorded (it fires at second :00 of a matching
 * minute): for a job whose stored command this test never runs itself.
 */
async function firedByPgCron(jobname: string, path: string, timeoutMs: number): Promise<RecordedRequest> {
  for (let waited = 0; waited < timeoutMs; waited += 500) {
    const { rows } = await client.query<RecordedRequest>(
      'select url, body, headers, timeout_milliseconds from net.recorded_requests where url = $1 order by id limit 1',
      [`${vaultUrl}${path}`],
    )
    if (rows[0]) return rows[0]
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`pg_cron did not fire ${jobname} within ${timeoutMs} ms`)
}

async function replay(request: RecordedRequest) {
  const response = await replayRecordedRequest(request, {
    recordedBase: vaultUrl,
    target: `${served.gateway.url}/functions/v1`,
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const count = async (sql: string) =>
  (await served.pool.query(`select count(*)::int as n from ${sql}`)).rows[0].n

describe.skipIf(missing)('the example’s pg_cron HTTP calls, replayed against its Deno functions', () => {
  it('generate-t5-invoices: the call is accepted and bills once; the same slot called again runs nothing twice', async () => {
    await insertOverdueT5Booking(served.pool)
    const call = await fire('nightshift-http:generate-t5-invoices')
    expect(call).toEqual({
      url: `${vaultUrl}/generate-t5-invoices`,
      body: {},
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${secrets.SUPABASE_SERVICE_ROLE_KEY}`,
      },
      timeout_milliseconds: 60_000,
    })
    const first = await replay(call)
    expect(first).toMatchObject({ status: 200, body: { ok: true, status: 'completed' } })
    expect((await served.pool.query('select total_cents from booking.invoices')).rows).toEqual([
      { total_cents: 2500 },
    ])

    // The same request delivered twice, and pg_cron's next call for the slot: the slot's one job.
    const again = await fire('nightshift-http:generate-t5-invoices')
    for (const request of [call, again]) {
      expect(await replay(request)).toMatchObject({
        status: 200,
        body: { ok: true, status: 'already-done', jobId: first.body.jobId },
      })
    }
    expect(await count('booking.invoices')).toBe(1)
    const { rows } = await served.pool.query(
      "select status, attempts from nightshift.jobs where type = 'generate-t5-invoices'",
    )
    expect(rows).toEqual([{ status: 'completed', attempts: 1 }])
  })

  it('escalate-overdue-bookings enqueues a reminder, and the queue route’s call, fired by pg_cron every 2 minutes, sends it once', async () => {
    expect(await replay(await fire('nightshift-http:escalate-overdue-bookings'))).toMatchObject({
      status: 200,
      body: { ok: true, status: 'completed' },
    })
    // pg_cron's own */2 firing, as scheduled by schedule-http.sql (so within 2 minutes and a little).
    const drain = await firedByPgCron('nightshift-http:notification-worker', '/notification-worker', 130_000)
    expect(drain).toEqual({
      url: `${vaultUrl}/notification-worker`,
      body: { limit: 10 },
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${secrets.SUPABASE_SERVICE_ROLE_KEY}`,
      },
      timeout_milliseconds: 60_000,
    })
    expect(await replay(drain)).toMatchObject({ status: 200, body: { ok: true, running: 0 } })
    expect(await replay(drain)).toMatchObject({ status: 200, body: { ok: true, running: 0 } })
    expect(
      (await served.pool.query('select recipient, template, provider, ok from booking.message_audit')).rows,
    ).toEqual([{ recipient: 'ada@example.com', template: 'payment_reminder', provider: 'outbox', ok: true }])
  }, 180_000)

  it('a Vault token the function does not accept for that job is answered 403, and nothing runs', async () => {
    await client.query("update vault.stand_in_secrets set secret = $1 where name = 'nightshift_cron_token'", [
      secrets.CRON_SECRET,
    ])
    const before = await count('nightshift.jobs')
    expect(await replay(await fire('nightshift-http:generate-t5-invoices'))).toMatchObject({
      status: 403,
      body: { ok: false, error: { code: 'forbidden' } },
    })
    expect(await count('nightshift.jobs')).toBe(before)
  })
})
