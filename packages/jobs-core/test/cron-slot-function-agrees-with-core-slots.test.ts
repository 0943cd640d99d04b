import { createJobs, defineJob, enqueueSlotSql, NightshiftError } from '@nightshift/jobs-core'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { latestSlot } from '../src/schedules/schedule-slots.js'

// The SQL function of migration 0011 must find the slot the ticker and triggers find (croner, UTC),
// or pg_cron and they would enqueue different keys for one firing and run it twice.
let db: TestDatabase
let client: pg.Client

beforeAll(async () => {
  db = await createTestDatabase('cron_slot_sql')
  const jobs = createJobs({ db: db.url, jobs: [] })
  await jobs.migrate()
  await jobs.close()
  client = new pg.Client({ connectionString: db.url })
  await client.connect()
})

afterAll(async () => {
  await client?.end()
  await db?.drop()
})

function field(low: number, high: number): fc.Arbitrary<string> {
  const value = fc.integer({ min: low, max: high })
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`)
  // croner refuses a step longer than the field (7 for day-of-week)
  const step = fc.integer({ min: 1, max: Math.min(high - low + 1, 30, high === 7 ? 7 : 60) })
  const part = fc.oneof(
    value.map(String),
    range,
    step.map((s) => `*/${s}`),
    fc.tuple(range, step).map(([r, s]) => `${r}/${s}`),
  )
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant('*') },
    { weight: 3, arbitrary: fc.array(part, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(',')) },
  )
}

// Days 1-28 only: an expression that never fires (30 February) makes both sides search nine years.
const cron = fc
  .tuple(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 7))
  .map((fields) => fields.join(' '))
const instant = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) })
  .map((ms) => new Date(ms))

test('cron_latest_slot finds the slot the core finds, for 200 random expressions and times', async () => {
  const cases = fc.sample(fc.tuple(cron, instant), { numRuns: 200, seed: 20261130 })
  const { rows } = await client.query<{ slot: Date | null }>(
    `select nightshift.cron_latest_slot(c, t) as slot
     from unnest($1::text[], $2::timestamptz[]) with ordinality as x(c, t, n) order by n`,
    [cases.map(([c]) => c), cases.map(([, t]) => t)],
  )
  const mismatches = cases.flatMap(([expression, at], index) => {
    const core = latestSlot({ cron: expression, timezone: 'UTC', catchUp: 'latest' }, at)
    const sql = rows[index]?.slot ?? undefined
    return core?.getTime() === sql?.getTime() ? [] : [{ expression, at, core, sql }]
  })
  expect(mismatches).toEqual([])
  // The sample is not trivial: it holds restricted day fields of both kinds.
  expect(cases.some(([c]) => c.split(' ')[2] !== '*' && c.split(' ')[4] !== '*')).toBe(true)
})

test('enqueue_cron_slot keys the job <job>@<slot ISO> and opens the slot once', async () => {
  const at = new Date('2026-11-30T02:00:41.250Z')
  const first = await client.query(
    `select * from nightshift.enqueue_cron_slot('nightly', '0 2 * * *', job_queue => 'reports', job_priority => 3, job_max_attempts => 2, fired_at => $1)`,
    [at],
  )
  const again = await client.query(
    `select * from nightshift.enqueue_cron_slot('nightly', '0 2 * * *', fired_at => $1)`,
    [new Date('2026-11-30T13:59:00Z')],
  )
  expect(first.rows[0]).toMatchObject({ slot: new Date('2026-11-30T02:00:00Z'), created: true })
  expect(again.rows[0]).toMatchObject({ job_id: first.rows[0].job_id, created: false })
  const { rows } = await client.query(
    'select idempotency_key, queue, priority, max_attempts, payload from nightshift.jobs',
  )
  expect(rows).toEqual([
    {
      idempotency_key: 'nightly@2026-11-30T02:00:00.000Z',
      queue: 'reports',
      priority: 3,
      max_attempts: 2,
      payload: {},
    },
  ])
  const slots = await client.query('select name, slot, job_id from nightshift.schedule_slots')
  expect(slots.rows).toEqual([
    { name: 'nightly', slot: new Date('2026-11-30T02:00:00Z'), job_id: first.rows[0].job_id },
  ])
})

test('a bad expression is refused by the SQL function with the field named', async () => {
  await expect(client.query(`select nightshift.cron_latest_slot('*/0 * * * *')`)).rejects.toThrow(
    /cron field "\*\/0"/,
  )
  await expect(client.query(`select nightshift.cron_latest_slot('0 2 * *')`)).rejects.toThrow(/five fields/)
  await expect(client.query(`select nightshift.cron_latest_slot('0 25 * * *')`)).rejects.toThrow(
    /outside 0-23/,
  )
})

test('enqueueSlotSql refuses zones, names and expressions pg_cron reads differently, naming the job', () => {
  const run = () => undefined
  const london = defineJob({
    name: 'london',
    schedule: { cron: '30 1 * * *', timezone: 'Europe/London' },
    run,
  })
  expect(() => enqueueSlotSql(london)).toThrow(/job "london" is scheduled in Europe\/London.*UTC/)
  const named = defineJob({ name: 'named', schedule: '0 2 * * MON', run })
  expect(() => enqueueSlotSql(named)).toThrow(/job "named".*day-of-week field "MON"/)
  const mixed = defineJob({ name: 'mixed', schedule: '0 2 */2 * 1', run })
  expect(() => enqueueSlotSql(mixed)).toThrow(/job "mixed".*AND by pg_cron/)
  expect(() => enqueueSlotSql(defineJob({ name: 'plain', run }))).toThrow(NightshiftError)
  expect(
    enqueueSlotSql(defineJob({ name: 'it-s', schedule: '*/5 * * * *', queue: "o'clock", run }), {
      schema: 'jobs',
    }),
  ).toBe(
    `select * from "jobs".enqueue_cron_slot('it-s', '*/5 * * * *', job_queue => 'o''clock', job_priority => 0, job_max_attempts => 5)`,
  )
})

test('racing pg_cron calls and triggers on separate connections open one slot and run it once', async () => {
  let runs = 0
  const yearly = defineJob({ name: 'yearly', schedule: '0 0 1 1 *', run: () => void runs++ })
  const jobs = createJobs({ db: db.url, jobs: [yearly], maxConnections: 8 })
  const clients = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const racer = new pg.Client({ connectionString: db.url })
      await racer.connect()
      return racer
    }),
  )
  try {
    const fromSql = clients.map((racer) =>
      racer
        .query(`select * from nightshift.enqueue_cron_slot('yearly', '0 0 1 1 *')`)
        .then((result) => result.rows[0]),
    )
    const fromTriggers = Array.from({ length: 4 }, () => jobs.trigger('yearly', {}, { waitMs: 20_000 }))
    const [sql, triggered] = await Promise.all([Promise.all(fromSql), Promise.all(fromTriggers)])
    const ids = new Set([...sql.map((row) => String(row.job_id)), ...triggered.map((result) => result.jobId)])
    expect(ids.size).toBe(1)
    expect(sql.filter((row) => row.created).length).toBeLessThanOrEqual(1)
    await jobs.process({ limit: 5 })
    expect(runs).toBe(1)
    const { rows } = await client.query(
      "select count(*)::int as n from nightshift.jobs where type = 'yearly'",
    )
    expect(rows).toEqual([{ n: 1 }])
  } finally {
    await Promise.all(clients.map((racer) => racer.end()))
    await jobs.close()
  }
})

test('the function lives in the schema it was migrated into', async () => {
  const jobs = createJobs({ db: db.url, jobs: [], schema: 'other_jobs' })
  await jobs.migrate()
  await jobs.close()
  await client.query(`select * from other_jobs.enqueue_cron_slot('elsewhere', '*/5 * * * *')`)
  const { rows } = await client.query(
    `select (select count(*)::int from other_jobs.jobs where type = 'elsewhere') as there,
            (select count(*)::int from nightshift.jobs where type = 'elsewhere') as here`,
  )
  expect(rows).toEqual([{ there: 1, here: 0 }])
})
