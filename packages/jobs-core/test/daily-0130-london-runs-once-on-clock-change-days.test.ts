import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// A daily 01:30 job in Europe/London. On 2026-03-29 the clocks go 01:00 GMT -> 02:00 BST (01:30 never
// happens); on 2026-10-25 they go 02:00 BST -> 01:00 GMT (01:30 happens twice). See docs/schedules.md.
let db: TestDatabase
const daily = defineJob({
  name: 'daily-0130',
  schedule: { cron: '30 1 * * *', timezone: 'Europe/London', catchUp: { max: 5 } },
  run: () => 'ok',
})
let jobs: ReturnType<typeof createJobs<[typeof daily]>>

beforeAll(async () => {
  db = await createTestDatabase('dst_london')
  jobs = createJobs({ db: db.url, jobs: [daily] })
  await jobs.migrate()
})
afterAll(async () => {
  await jobs?.close()
  await db?.drop()
})

/** Ticks every 10 minutes from `from` to `to` (injected times) and returns the slots enqueued. */
async function tickEvery10Minutes(from: string, to: string): Promise<string[]> {
  const slots: string[] = []
  for (let t = Date.parse(from); t <= Date.parse(to); t += 10 * 60_000) {
    const report = await jobs.tick({ now: new Date(t) })
    slots.push(...report.enqueued.map((entry) => entry.slot))
  }
  return slots
}

test('spring forward: 01:30 does not exist, so it runs once at 02:30 BST (01:30 UTC)', async () => {
  const slots = await tickEvery10Minutes('2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z')
  expect(slots).toEqual([
    '2026-03-28T01:30:00.000Z', // 01:30 GMT
    '2026-03-29T01:30:00.000Z', // 02:30 BST, the skipped 01:30 shifted by the one-hour gap
    '2026-03-30T00:30:00.000Z', // 01:30 BST
  ])
  // Between 02:00 and 02:30 BST the current slot is still the previous day's.
  const early = await jobs.trigger('daily-0130', {}, { now: new Date('2026-03-29T01:15:00Z') })
  expect(early.slot).toBe('2026-03-28T01:30:00.000Z')
})

test('fall back: 01:30 happens twice and runs once, at the second 01:30 (GMT, 01:30 UTC)', async () => {
  // As if the schedule were new: no catch-up of the months since March.
  await jobs.executor.query('delete from nightshift.schedules')
  const slots = await tickEvery10Minutes('2026-10-23T12:00:00Z', '2026-10-26T12:00:00Z')
  expect(slots).toEqual([
    '2026-10-24T00:30:00.000Z', // 01:30 BST
    '2026-10-25T01:30:00.000Z', // the second 01:30, GMT
    '2026-10-26T01:30:00.000Z', // 01:30 GMT
  ])
  // At the first 01:45 (BST) the current slot is still the day before; at the second (GMT) it is today's.
  const first = await jobs.trigger('daily-0130', {}, { now: new Date('2026-10-25T00:45:00Z') })
  expect(first).toMatchObject({ slot: '2026-10-24T00:30:00.000Z', status: 'completed' })
  const second = await jobs.trigger('daily-0130', {}, { now: new Date('2026-10-25T01:45:00Z') })
  expect(second).toMatchObject({ slot: '2026-10-25T01:30:00.000Z', status: 'completed' })
  expect(second.jobId).not.toBe(first.jobId)
  const again = await jobs.trigger('daily-0130', {}, { now: new Date('2026-10-25T01:50:00Z') })
  expect(again).toMatchObject({
    slot: '2026-10-25T01:30:00.000Z',
    status: 'already-done',
    jobId: second.jobId,
  })
})
