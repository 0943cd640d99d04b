import { databaseCronSql } from '@nightshift/adapter-supabase'
import { createHandler, createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type PrivatePostgres, startPrivatePostgres } from '../../../test-support/private-postgres.js'
import { serveHandler } from './serve-handler.js'

// Supabase Cron, database-native, on a real pg_cron 1.4 (a second cluster): pg_cron enqueues the slot in
// SQL, a worker runs it; pg_cron, the ticker and an HTTP trigger of one slot make one run.
const ran: { name: string; slot: string | undefined }[] = []
const record = (name: string) => (_input: unknown, ctx: { slot: Date | null }) => {
  ran.push({ name, slot: ctx.slot?.toISOString() })
  return { ok: true }
}
const everyMinute = defineJob({ name: 'every-minute', schedule: '* * * * *', run: record('every-minute') })
// Yearly slots stay the same slot for the whole test, whenever each trigger comes.
const newYear = defineJob({
  name: 'new-year',
  schedule: '0 0 1 1 *',
  queue: 'yearly',
  run: record('new-year'),
})
const newMonth = defineJob({ name: 'new-month', schedule: '0 0 1 * *', run: record('new-month') })
const definitions = [everyMinute, newYear, newMonth] as const
const token = 'cron-test-token-0123456789'

let cluster: PrivatePostgres
let client: pg.Client
let jobs: ReturnType<typeof createJobs<typeof definitions>>

beforeAll(async () => {
  cluster = await startPrivatePostgres({ pgCron: true, port: 5433 })
  jobs = createJobs({ db: cluster.url(), jobs: definitions, leaseMs: 30_000 })
  await jobs.migrate()
  client = new pg.Client({ connectionString: cluster.url() })
  await client.connect()
}, 60_000)

afterAll(async () => {
  await client?.end()
  await jobs?.close()
  await cluster?.remove()
})

async function jobRows(type: string) {
  const { rows } = await client.query(
    'select id, status, idempotency_key from nightshift.jobs where type = $1 order by id',
    [type],
  )
  return rows as { id: string; status: string; idempotency_key: string }[]
}

/** Runs the command pg_cron stores for a job, as pg_cron runs it. */
async function runStoredCommand(jobname: string) {
  const { rows } = await client.query('select command from cron.job where jobname = $1', [jobname])
  expect(rows).toHaveLength(1)
  return (await client.query(rows[0].command)).rows[0] as { slot: Date; job_id: string; created: boolean }
}

test('pg_cron fires the schedule, the slot is enqueued with its key, a worker runs it, unschedule removes it', async () => {
  const { schedule, unschedule } = databaseCronSql([everyMinute])
  await client.query(schedule)
  const scheduled = await client.query(
    "select schedule from cron.job where jobname = 'nightshift:every-minute'",
  )
  expect(scheduled.rows).toEqual([{ schedule: '* * * * *' }])
  // pg_cron starts jobs at second :00 of a minute: wait for the first firing, at most 70 s.
  let rows: Awaited<ReturnType<typeof jobRows>> = []
  for (let waited = 0; rows.length === 0 && waited < 70_000; waited += 500) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    rows = await jobRows('every-minute')
  }
  expect(rows.length).toBeGreaterThanOrEqual(1)
  const key = rows[0]?.idempotency_key as string
  expect(key).toMatch(/^every-minute@\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/)
  // pg_cron records the run's outcome just after the command's transaction commits.
  let status: string | undefined
  for (
    let waited = 0;
    (status === undefined || status === 'running' || status === 'starting') && waited < 10_000;
    waited += 200
  ) {
    const details = await client.query(
      "select d.status from cron.job_run_details d join cron.job j using (jobid) where j.jobname = 'nightshift:every-minute' order by d.runid limit 1",
    )
    status = details.rows[0]?.status
    if (status === 'running' || status === 'starting' || status === undefined)
      await new Promise((resolve) => setTimeout(resolve, 200))
  }
  expect(status).toBe('succeeded')
  await client.query(unschedule)
  expect(
    (await client.query("select count(*)::int as n from cron.job where jobname like 'nightshift:%'")).rows,
  ).toEqual([{ n: 0 }])
  const report = await jobs.process({ limit: 10 })
  expect(report.completed).toBeGreaterThanOrEqual(1)
  // The run knows its slot: the one in its key.
  expect(ran.find((run) => run.name === 'every-minute')?.slot).toBe(key.slice('every-minute@'.length))
}, 120_000)

test('pg_cron, the HTTP trigger and the ticker enqueue one slot once, in either order, and a purge never reopens it', async () => {
  ran.length = 0
  await client.query(databaseCronSql([newYear, newMonth]).schedule)
  const served = await serveHandler(createHandler(jobs, { auth: { tokens: [token] }, waitMs: 20_000 }))
  const trigger = (name: string) =>
    fetch(`${served.url}/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    }).then(async (response) => ({ status: response.status, body: await response.json() }))
  try {
    // pg_cron first, then the HTTP trigger runs the job pg_cron made, then the ticker finds it.
    const fromCron = await runStoredCommand('nightshift:new-year')
    expect(fromCron.created).toBe(true)
    const fromHttp = await trigger('new-year')
    expect(fromHttp).toMatchObject({
      status: 200,
      body: { ok: true, jobId: String(fromCron.job_id), status: 'completed' },
    })
    await jobs.tick({ now: new Date(fromCron.slot.getTime() - 86_400_000) }) // starts the ledger the year before
    const ticked = await jobs.tick()
    expect(ticked.enqueued).toContainEqual({
      name: 'new-year',
      slot: fromCron.slot.toISOString(),
      jobId: String(fromCron.job_id),
    })
    expect(await runStoredCommand('nightshift:new-year')).toMatchObject({
      job_id: fromCron.job_id,
      created: false,
    })

    // The HTTP trigger first: pg_cron's call finds its job.
    const httpFirst = await trigger('new-month')
    expect(httpFirst).toMatchObject({ status: 200, body: { status: 'completed' } })
    expect(await runStoredCommand('nightshift:new-month')).toMatchObject({
      job_id: httpFirst.body.jobId,
      created: false,
    })

    await jobs.process({ limit: 10 })
    expect(
      ran
        .filter((run) => run.name !== 'every-minute')
        .map((run) => run.name)
        .sort(),
    ).toEqual(['new-month', 'new-year'])
    expect(await jobRows('new-year')).toHaveLength(1)
    expect(await jobRows('new-month')).toHaveLength(1)

    // Purged, the slot stays done: pg_cron's next call of it makes no job.
    await jobs.purge({ olderThan: new Date(Date.now() + 60_000) })
    expect(await runStoredCommand('nightshift:new-year')).toMatchObject({
      job_id: fromCron.job_id,
      created: false,
    })
    expect(await jobRows('new-year')).toHaveLength(0)
    expect((await trigger('new-year')).body).toMatchObject({ status: 'already-done' })
    expect(ran.filter((run) => run.name === 'new-year')).toHaveLength(1)
  } finally {
    await served.close()
    await client.query(databaseCronSql([newYear, newMonth]).unschedule)
  }
})
