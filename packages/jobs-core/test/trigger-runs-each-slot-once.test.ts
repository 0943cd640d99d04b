import { createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
let client: pg.Client
const runs: string[] = []
let failNext = false

const nightly = defineJob({
  name: 'nightly-report',
  schedule: { cron: '0 2 * * *', timezone: 'Europe/London' },
  run: async (_input, ctx) => {
    runs.push(ctx.jobId)
    await new Promise((resolve) => setTimeout(resolve, 50))
    if (failNext) throw new Error('the report service said no')
    return { rows: 3 }
  },
})
const flaky = defineJob({
  name: 'flaky-bill',
  schedule: '*/15 * * * *',
  maxAttempts: 3,
  run: () => {
    throw new Error('the bank is down')
  },
})
const adHoc = defineJob({
  name: 'send-digest',
  input: z.object({ to: z.email() }),
  run: ({ to }) => ({ sentTo: to }),
})
let jobs: ReturnType<typeof createJobs<[typeof nightly, typeof flaky, typeof adHoc]>>

beforeAll(async () => {
  db = await createTestDatabase('trigger_slot')
  jobs = createJobs({ db: db.url, jobs: [nightly, flaky, adHoc] })
  await jobs.migrate()
  client = new pg.Client({ connectionString: db.url })
  await client.connect()
})
afterAll(async () => {
  await client?.end()
  await jobs?.close()
  await db?.drop()
})

async function rows(type: string) {
  const result = await client.query(
    'select id, status, attempts, idempotency_key from nightshift.jobs where type = $1 order by id',
    [type],
  )
  return result.rows
}

test('50 concurrent triggers of one scheduled job in one slot run the handler once', async () => {
  const now = new Date('2026-11-28T09:15:00Z')
  const results = await Promise.all(
    Array.from({ length: 50 }, () => jobs.trigger('nightly-report', {}, { now, waitMs: 10_000 })),
  )
  expect(runs).toHaveLength(1)
  const completed = results.filter((result) => result.status === 'completed')
  expect(completed).toHaveLength(1)
  expect(completed[0]?.result).toEqual({ rows: 3 })
  for (const result of results) {
    expect(['completed', 'running', 'already-done']).toContain(result.status)
    expect(result).toMatchObject({
      slot: '2026-11-28T02:00:00.000Z',
      forced: false,
      jobId: completed[0]?.jobId,
    })
  }
  expect(await rows('nightly-report')).toEqual([
    {
      id: completed[0]?.jobId,
      status: 'completed',
      attempts: 1,
      idempotency_key: 'nightly-report@2026-11-28T02:00:00.000Z',
    },
  ])

  // Later in the same slot: already done, nothing runs.
  const again = await jobs.trigger('nightly-report', {}, { now: new Date('2026-11-29T01:59:59Z') })
  expect(again).toMatchObject({ status: 'already-done', jobId: completed[0]?.jobId, result: { rows: 3 } })
  expect(runs).toHaveLength(1)
})

test('force runs the slot again with a new key marked as forced', async () => {
  const now = new Date('2026-11-28T10:00:00Z')
  const forced = await jobs.trigger('nightly-report', {}, { now, force: true })
  expect(forced).toMatchObject({ status: 'completed', forced: true, slot: '2026-11-28T02:00:00.000Z' })
  expect(runs).toHaveLength(2)
  const keys = (await rows('nightly-report')).map((row) => row.idempotency_key)
  expect(keys).toHaveLength(2)
  expect(keys[1]).toMatch(/^nightly-report@2026-11-28T02:00:00\.000Z#forced-[0-9a-f-]{36}$/)
})

test('the next slot is a new job; a failed attempt reports retrying and follows the retry policy', async () => {
  failNext = true
  const first = await jobs.trigger('nightly-report', {}, { now: new Date('2026-11-29T02:00:00Z') })
  failNext = false
  expect(first).toMatchObject({
    status: 'retrying',
    slot: '2026-11-29T02:00:00.000Z',
    error: 'the report service said no',
  })
  const job = await jobs.getJob(first.jobId)
  expect(job).toMatchObject({ status: 'pending', attempts: 1, errorMessage: 'the report service said no' })
  expect(job?.scheduledFor.getTime()).toBeGreaterThan(Date.now())
  // A second trigger while the retry waits runs nothing and says the slot is waiting for its retry.
  const second = await jobs.trigger('nightly-report', {}, { now: new Date('2026-11-29T03:00:00Z') })
  expect(second).toMatchObject({ status: 'retrying', jobId: first.jobId })
  expect(runs).toHaveLength(3)

  const bill = await jobs.trigger('flaky-bill', {}, { now: new Date('2026-11-28T12:20:00Z') })
  expect(bill).toMatchObject({
    status: 'retrying',
    slot: '2026-11-28T12:15:00.000Z',
    error: 'the bank is down',
  })
})

test('an unscheduled job gets a fresh job per trigger; bad input and unknown names write nothing', async () => {
  const one = await jobs.trigger('send-digest', { to: 'ada@example.com' })
  const two = await jobs.trigger('send-digest', { to: 'ada@example.com' })
  expect(one).toMatchObject({
    status: 'completed',
    slot: null,
    forced: false,
    result: { sentTo: 'ada@example.com' },
  })
  expect(two.status).toBe('completed')
  expect(two.jobId).not.toBe(one.jobId)

  const bad = await jobs.trigger('send-digest', { to: 'not an address' }).catch((error) => error)
  expect(bad).toBeInstanceOf(NightshiftError)
  expect(bad.code).toBe('invalid_input')
  expect(bad.issues[0].path).toEqual(['to'])
  // @ts-expect-error a name no job has (trigger is typed like enqueue); checked at run time too
  const unknown = await jobs.trigger('no-such-job', {}).catch((error) => error)
  expect(unknown).toMatchObject({ code: 'unknown_job' })
  expect(await rows('send-digest')).toHaveLength(2)
  expect(await rows('no-such-job')).toHaveLength(0)
})
