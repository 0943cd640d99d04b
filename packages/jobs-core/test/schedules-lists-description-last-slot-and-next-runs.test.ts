import { createJobs, defineJob, describeCron } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
const nightly = defineJob({
  name: 'nightly-report',
  schedule: { cron: '0 2 * * *', timezone: 'Europe/London' },
  run: () => {},
})
const weekdays = defineJob({ name: 'standup-reminder', schedule: '30 9 * * 1-5', run: () => {} })
const plain = defineJob({ name: 'send-email', run: () => {} })
let jobs: ReturnType<typeof createJobs<[typeof nightly, typeof weekdays, typeof plain]>>

beforeAll(async () => {
  db = await createTestDatabase('schedules_list')
  jobs = createJobs({ db: db.url, jobs: [nightly, weekdays, plain] })
  await jobs.migrate()
})
afterAll(async () => {
  await jobs?.close()
  await db?.drop()
})

test('lists each schedule with plain English, its last slot and next runs in its zone and UTC', async () => {
  const now = new Date('2026-10-24T12:00:00Z')
  expect((await jobs.schedules({ now })).map((item) => item.lastSlot)).toEqual([null, null])
  await jobs.tick({ now })
  const list = await jobs.schedules({ now, count: 2 })
  expect(list).toEqual([
    {
      name: 'nightly-report',
      cron: '0 2 * * *',
      timezone: 'Europe/London',
      catchUp: 'latest',
      description: 'At 02:00 every day (Europe/London)',
      lastSlot: '2026-10-24T01:00:00.000Z',
      nextRuns: [
        { local: '2026-10-25T02:00:00+00:00', utc: '2026-10-25T02:00:00.000Z' },
        { local: '2026-10-26T02:00:00+00:00', utc: '2026-10-26T02:00:00.000Z' },
      ],
    },
    {
      name: 'standup-reminder',
      cron: '30 9 * * 1-5',
      timezone: 'UTC',
      catchUp: 'latest',
      description: 'At 09:30 on Monday to Friday (UTC)',
      lastSlot: '2026-10-23T09:30:00.000Z',
      nextRuns: [
        { local: '2026-10-26T09:30:00+00:00', utc: '2026-10-26T09:30:00.000Z' },
        { local: '2026-10-27T09:30:00+00:00', utc: '2026-10-27T09:30:00.000Z' },
      ],
    },
  ])
})

test('describeCron says common expressions in plain English', () => {
  expect(describeCron('0 2 * * *')).toBe('At 02:00 every day')
  expect(describeCron('*/5 * * * *')).toBe('Every 5 minutes')
  expect(describeCron('15 * * * *')).toBe('At minute 15 of every hour')
  expect(describeCron('0 6 1 * *')).toBe('At 06:00 on the 1st of every month')
  expect(describeCron('0 8,20 * * *')).toBe('At 08:00, 20:00 every day')
  expect(describeCron('0 0 * * 0')).toBe('At 00:00 on Sunday')
  expect(describeCron('0 9 1 1 *')).toBe('At 09:00 on the 1st in January')
})
