import { httpCronSql } from '@nightshift/adapter-supabase'
import { createHandler, createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type PrivatePostgres, startPrivatePostgres } from '../../../test-support/private-postgres.js'
import {
  installPgNetAndVaultStandIns,
  type RecordedRequest,
  replayRecordedRequest,
} from './replay-recorded-request.js'
import { serveHandler } from './serve-handler.js'

// Supabase Cron over HTTP. pg_cron is real (a second cluster); pg_net and Vault are not available here,
// so stand-ins record what `net.http_post` was asked to send, and the recording is replayed for real
// against nightshift's handler served by node:http. pg-cron-http-call-replays-against-deno-function.test.ts
// replays the example's calls against its Deno-served functions.
const vaultUrl = 'https://project-ref.supabase.co/functions/v1'
const token = 'cron-secret-token-0123456789'
const ran: string[] = []
const ping = defineJob({ name: 'ping', schedule: '* * * * *', run: () => void ran.push('ping') })
const newYear = defineJob({ name: 'new-year', schedule: '0 0 1 1 *', run: () => void ran.push('new-year') })
const definitions = [ping, newYear] as const
const options = {
  bodies: { 'new-year': { force: false } },
  routes: [{ name: 'notification-worker', cron: '*/2 * * * *', body: { limit: 10 } }],
  timeoutMs: 30_000,
}

let cluster: PrivatePostgres
let client: pg.Client
let jobs: ReturnType<typeof createJobs<typeof definitions>>
let served: Awaited<ReturnType<typeof serveHandler>>

beforeAll(async () => {
  cluster = await startPrivatePostgres({ pgCron: true, port: 5433 })
  jobs = createJobs({ db: cluster.url(), jobs: definitions })
  await jobs.migrate()
  client = new pg.Client({ connectionString: cluster.url() })
  await client.connect()
  await installPgNetAndVaultStandIns(client)
  await client.query(
    "insert into vault.stand_in_secrets values ('nightshift_functions_url', $1), ('nightshift_cron_token', $2)",
    [vaultUrl, token],
  )
  const handler = createHandler(jobs, {
    auth: { tokens: [token] },
    queueRoute: 'notification-worker',
    waitMs: 20_000,
  })
  served = await serveHandler(handler)
}, 60_000)

afterAll(async () => {
  await served?.close()
  await client?.end()
  await jobs?.close()
  await cluster?.remove()
})

async function recorded(path: string): Promise<RecordedRequest[]> {
  const { rows } = await client.query(
    'select url, body, headers, timeout_milliseconds from net.recorded_requests where url = $1 order by id',
    [`${vaultUrl}${path}`],
  )
  return rows
}

async function runStoredCommand(jobname: string): Promise<void> {
  const { rows } = await client.query('select command from cron.job where jobname = $1', [jobname])
  expect(rows).toHaveLength(1)
  await client.query(rows[0].command)
}

const replay = (request: RecordedRequest) =>
  replayRecordedRequest(request, { recordedBase: vaultUrl, target: served.url }).then(async (response) => ({
    status: response.status,
    body: await response.json(),
  }))

test('the generated SQL reads URL and token from Vault, sets the timeout and the body, and refuses what pg_cron misreads', () => {
  const { schedule, unschedule } = httpCronSql(definitions, options)
  expect(schedule).toContain(
    "url := (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_functions_url') || '/new-year'",
  )
  expect(schedule).toContain(
    "'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_cron_token')",
  )
  expect(schedule).toContain(`body := '{"limit":10}'::jsonb`)
  expect(schedule).toContain(`body := '{"force":false}'::jsonb`)
  expect(schedule).toContain('timeout_milliseconds := 30000')
  expect(schedule).not.toContain(token)
  expect(unschedule).toContain("left(jobname, 16) = 'nightshift-http:'")
  const custom = httpCronSql([ping], { header: 'x-scheduler-secret' }).schedule
  expect(custom).toContain("'x-scheduler-secret', (select decrypted_secret")
  const london = defineJob({
    name: 'london',
    schedule: { cron: '0 9 * * *', timezone: 'Europe/London' },
    run: () => 1,
  })
  expect(() => httpCronSql([london])).toThrow(/job "london" is scheduled in Europe\/London/)
  expect(httpCronSql([ping, london], { exclude: ['london'] }).schedule).not.toContain('london')
  expect(() => httpCronSql([ping], { exclude: ['pong'] })).toThrow(/exclude names "pong"/)
  expect(() => httpCronSql([], { routes: [{ name: 'q', cron: '*/5 * * * * *' }] })).toThrow(
    /has 6 fields; it takes five/,
  )
  expect(() => httpCronSql([], { timeoutMs: 0 })).toThrow(/timeoutMs/)
})

test('pg_cron fires the call, the recorded request replayed runs the job, the queue route drains, and unschedule removes them', async () => {
  const { schedule, unschedule } = httpCronSql(definitions, options)
  await client.query(schedule)
  const names = await client.query('select jobname, schedule from cron.job order by jobname')
  expect(names.rows).toEqual([
    { jobname: 'nightshift-http:new-year', schedule: '0 0 1 1 *' },
    { jobname: 'nightshift-http:notification-worker', schedule: '*/2 * * * *' },
    { jobname: 'nightshift-http:ping', schedule: '* * * * *' },
  ])
  // A real firing of pg_cron (at second :00, so within 70 s) makes the request.
  let pings: RecordedRequest[] = []
  for (let waited = 0; pings.length === 0 && waited < 70_000; waited += 500) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    pings = await recorded('/ping')
  }
  expect(pings[0]).toEqual({
    url: `${vaultUrl}/ping`,
    body: {},
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    timeout_milliseconds: 30_000,
  })
  expect(await replay(pings[0] as RecordedRequest)).toMatchObject({
    status: 200,
    body: { ok: true, status: 'completed' },
  })
  expect(ran).toEqual(['ping'])

  // The yearly job's call, made by its stored command: delivered twice, it runs once.
  await runStoredCommand('nightshift-http:new-year')
  const [call] = await recorded('/new-year')
  const first = await replay(call as RecordedRequest)
  expect(first).toMatchObject({ status: 200, body: { ok: true, status: 'completed' } })
  expect(await replay(call as RecordedRequest)).toMatchObject({
    status: 200,
    body: { ok: true, status: 'already-done', jobId: first.body.jobId },
  })
  expect(ran.filter((name) => name === 'new-year')).toHaveLength(1)

  // The queue route, with the original setup's body.
  await jobs.enqueue('ping', {})
  await runStoredCommand('nightshift-http:notification-worker')
  const [drain] = await recorded('/notification-worker')
  expect(drain?.body).toEqual({ limit: 10 })
  expect(await replay(drain as RecordedRequest)).toMatchObject({ status: 200, body: { ok: true } })
  expect(ran.filter((name) => name === 'ping').length).toBeGreaterThanOrEqual(2)

  await client.query(unschedule)
  expect((await client.query('select count(*)::int as n from cron.job')).rows).toEqual([{ n: 0 }])
}, 120_000)
