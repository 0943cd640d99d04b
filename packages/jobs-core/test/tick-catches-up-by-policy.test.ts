import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
let client: pg.Client

const hourly = <Name extends string>(name: Name, catchUp?: 'none' | 'latest' | { max: number }) =>
  defineJob({ name, schedule: catchUp ? { cron: '0 * * * *', catchUp } : '0 * * * *', run: () => {} })
const jobs = () =>
  createJobs({
    db: db.url,
    jobs: [
      hourly('default-latest'),
      hourly('only-latest', 'latest'),
      hourly('no-catch-up', 'none'),
      hourly('up-to-three', { max: 3 }),
    ],
  })
let queue: ReturnType<typeof jobs>

beforeAll(async () => {
  db = await createTestDatabase('tick_catch_up')
  queue = jobs()
  await queue.migrate()
  client = new pg.Client({ connectionString: db.url })
  await client.connect()
})
afterAll(async () => {
  await client?.end()
  await queue?.close()
  await db?.drop()
})

async function keys(): Promise<string[]> {
  const result = await client.query<{ idempotency_key: string }>(
    'select idempotency_key from nightshift.jobs order by idempotency_key',
  )
  return result.rows.map((row) => row.idempotency_key)
}

test('a first tick runs no history; on-time ticks run each slot; missed slots follow catchUp', async () => {
  const started = await queue.tick({ now: new Date('2026-11-28T08:30:00Z') })
  expect(started.started.map((entry) => entry.slot)).toEqual(Array(4).fill('2026-11-28T08:00:00.000Z'))
  expect(await keys()).toEqual([])

  // On time: every policy runs 09:00.
  const onTime = await queue.tick({ now: new Date('2026-11-28T09:00:10Z') })
  expect(onTime.enqueued.map((entry) => entry.name).sort()).toEqual([
    'default-latest',
    'no-catch-up',
    'only-latest',
    'up-to-three',
  ])
  expect(onTime.skipped).toEqual([])
  // The same tick again does nothing.
  expect((await queue.tick({ now: new Date('2026-11-28T09:40:00Z') })).enqueued).toEqual([])

  // Down from 09:40 to 15:20: 10:00 … 15:00 were missed (six slots).
  const late = await queue.tick({ now: new Date('2026-11-28T15:20:00Z') })
  const slotsOf = (name: string) =>
    late.enqueued.filter((entry) => entry.name === name).map((entry) => entry.slot)
  expect(slotsOf('default-latest')).toEqual(['2026-11-28T15:00:00.000Z'])
  expect(slotsOf('only-latest')).toEqual(['2026-11-28T15:00:00.000Z'])
  expect(slotsOf('no-catch-up')).toEqual([])
  expect(slotsOf('up-to-three')).toEqual([
    '2026-11-28T13:00:00.000Z',
    '2026-11-28T14:00:00.000Z',
    '2026-11-28T15:00:00.000Z',
  ])
  expect(late.skipped).toEqual(
    expect.arrayContaining([
      { name: 'default-latest', slots: 1 },
      { name: 'no-catch-up', slots: 2 },
      { name: 'up-to-three', slots: 1 },
    ]),
  )
  const ledger = await client.query<{ last_slot: Date }>(
    'select distinct last_slot from nightshift.schedules',
  )
  expect(ledger.rows).toEqual([{ last_slot: new Date('2026-11-28T15:00:00Z') }])

  // After catching up, the next on-time slot runs for every policy again, 'none' included.
  const next = await queue.tick({ now: new Date('2026-11-28T16:00:00Z') })
  expect(next.enqueued).toHaveLength(4)
  expect(await keys()).toHaveLength(4 + 1 + 1 + 3 + 4)
})

test('a slot a trigger enqueued first is not enqueued again by tick', async () => {
  const triggered = await queue.trigger('only-latest', {}, { now: new Date('2026-11-28T17:00:00Z') })
  expect(triggered.status).toBe('completed')
  const tick = await queue.tick({ now: new Date('2026-11-28T17:01:00Z') })
  const entry = tick.enqueued.find((item) => item.name === 'only-latest')
  expect(entry).toEqual({ name: 'only-latest', slot: '2026-11-28T17:00:00.000Z', jobId: triggered.jobId })
  const rows = await client.query(
    "select count(*)::int as n from nightshift.jobs where idempotency_key = 'only-latest@2026-11-28T17:00:00.000Z'",
  )
  expect(rows.rows[0].n).toBe(1)
})

test('tick refuses an invalid now', async () => {
  await expect(queue.tick({ now: new Date('not a date') })).rejects.toMatchObject({ code: 'invalid_option' })
})
