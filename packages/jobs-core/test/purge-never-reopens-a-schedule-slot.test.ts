import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { migrations } from '../src/db/migrations.generated.js'

// A monthly invoice run: each month's slot must bill once, whatever is purged afterwards.
let db: TestDatabase
let client: pg.Client
const billed: string[] = []
const billMonth = defineJob({
  name: 'bill-month',
  schedule: { cron: '0 3 1 * *', timezone: 'UTC' },
  run: (_input, ctx) => {
    billed.push(ctx.slot?.toISOString() ?? 'no slot')
    return { invoices: 12 }
  },
})
let jobs: ReturnType<typeof createJobs<[typeof billMonth]>>

async function jobRows() {
  const result = await client.query(
    'select status, idempotency_key from nightshift.jobs where type = $1 order by id',
    ['bill-month'],
  )
  return result.rows
}

/** Purges every finished job, as a nightly `purge({ olderThan })` eventually does. */
async function purgeAll(): Promise<number> {
  return jobs.purge({
    olderThan: new Date(Date.now() + 60_000),
    statuses: ['completed', 'failed', 'cancelled'],
  })
}

beforeAll(async () => {
  db = await createTestDatabase('purge_slot')
  client = new pg.Client({ connectionString: db.url })
  await client.connect()
  // The schema as it was before slots were recorded (0009), with a slot run then, so the upgrade meets it.
  await client.query(`create schema nightshift;
    create table nightshift.migrations (version integer primary key, name text not null,
      applied_at timestamptz not null default now())`)
  for (const migration of migrations.filter((m) => m.version < 9)) {
    await client.query(
      migration.sql
        .replaceAll('{{schema}}', '"nightshift"')
        .replaceAll('{{channel}}', "'nightshift_nightshift'"),
    )
    await client.query('insert into nightshift.migrations (version, name) values ($1, $2)', [
      migration.version,
      migration.name,
    ])
  }
  await client.query(`insert into nightshift.jobs (type, status, idempotency_key, result, completed_at) values
    ('bill-month', 'completed', 'bill-month@2026-09-01T03:00:00.000Z', '{"invoices":9}', now()),
    ('bill-month', 'completed', 'bill-month@2026-09-01T03:00:00.000Z#forced-5f0c3b9e-0000-4000-8000-000000000000', '{}', now())`)
  jobs = createJobs({ db: db.url, jobs: [billMonth] })
  await jobs.migrate()
})
afterAll(async () => {
  await client?.end()
  await jobs?.close()
  await db?.drop()
})

test('a trigger after purge() finds the slot done and bills nothing; force still runs it again', async () => {
  const now = new Date('2026-11-15T10:00:00Z')
  const first = await jobs.trigger('bill-month', {}, { now })
  expect(first).toMatchObject({ status: 'completed', slot: '2026-11-01T03:00:00.000Z' })
  expect(billed).toEqual(['2026-11-01T03:00:00.000Z'])

  expect(await purgeAll()).toBeGreaterThanOrEqual(1)
  expect(await jobRows()).toEqual([])

  // Ten triggers of the same slot at once, after the purge: none runs it.
  const again = await Promise.all(Array.from({ length: 10 }, () => jobs.trigger('bill-month', {}, { now })))
  for (const result of again) {
    expect(result).toMatchObject({
      status: 'already-done',
      slot: '2026-11-01T03:00:00.000Z',
      forced: false,
      jobId: first.jobId,
    })
  }
  expect(billed).toHaveLength(1)
  expect(await jobRows()).toEqual([])

  // Running it again on purpose still works.
  const forced = await jobs.trigger('bill-month', {}, { now, force: true })
  expect(forced).toMatchObject({ status: 'completed', forced: true, slot: '2026-11-01T03:00:00.000Z' })
  expect(billed).toEqual(['2026-11-01T03:00:00.000Z', '2026-11-01T03:00:00.000Z'])
})

test('a tick after a triggered slot was purged does not enqueue it again', async () => {
  expect((await jobs.tick({ now: new Date('2026-11-20T00:00:00Z') })).started).toHaveLength(1)
  const december = await jobs.trigger('bill-month', {}, { now: new Date('2026-12-01T03:00:05Z') })
  expect(december).toMatchObject({ status: 'completed', slot: '2026-12-01T03:00:00.000Z' })
  await purgeAll()
  const report = await jobs.tick({ now: new Date('2026-12-01T03:10:00Z') })
  expect(report.enqueued).toEqual([
    { name: 'bill-month', slot: '2026-12-01T03:00:00.000Z', jobId: december.jobId },
  ])
  expect(await jobRows()).toEqual([])
  expect(await jobs.process()).toMatchObject({ completed: 0 })
  expect(billed.filter((slot) => slot === '2026-12-01T03:00:00.000Z')).toHaveLength(1)

  // The next month is a new slot, enqueued and run once.
  const next = await jobs.tick({ now: new Date('2027-01-01T03:00:00Z') })
  expect(next.enqueued.map((entry) => entry.slot)).toEqual(['2027-01-01T03:00:00.000Z'])
  expect(await jobs.process()).toMatchObject({ completed: 1 })
})

test('a slot run before the upgrade stays done after its job is purged', async () => {
  await purgeAll()
  const september = await jobs.trigger('bill-month', {}, { now: new Date('2026-09-20T00:00:00Z') })
  expect(september).toMatchObject({ status: 'already-done', slot: '2026-09-01T03:00:00.000Z' })
  expect(billed).not.toContain('2026-09-01T03:00:00.000Z')
  // October was never run: it still runs once.
  const october = await jobs.trigger('bill-month', {}, { now: new Date('2026-10-20T00:00:00Z') })
  expect(october).toMatchObject({ status: 'completed', slot: '2026-10-01T03:00:00.000Z' })
})
