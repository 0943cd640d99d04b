import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// A daily 01:30 job in Europe/London. On 2026-03-29 the clocks go 01:00 GMT -> 02:00 BST (01:30 never
// happens); on 2026-10-25 they go 02:00 BST -> 01:00 GMT (01:30 happens twice). The rule (see
// docs/schedules.md): a repeated time fires at its first occurrence, a skipped time at the jump.
// The same rule in other zones: slots-fire-each-wall-time-once-across-clock-changes.test.ts.
let db: TestDatabase
const daily = defineJob({
  name: 'daily-0130',
  schedule: { cron: '30 1 * * *', timezone: 'Europe/London', catchUp: { max: 5 } },
  run: () => 'ok',
})
const quarterly = defineJob({
  name: 'quarter-hour',
  schedule: { cron: '*/15 * * * *', timezone: 'Europe/London', catchUp: { max: 5 } },
  run: () => 'ok',
})
let jobs: ReturnType<typeof createJobs<[typeof daily, typeof quarterly]>>

beforeAll(async () => {
  db = await createTestDatabase('dst_london')
  jobs = createJobs({ db: db.url, jobs: [daily, quarterly] })
  await jobs.migrate()
})
afterAll(async () => {
  await jobs?.close()
  await db?.drop()
})

/**
 * Ticks every 10 minutes from `from` to `to` (injected times), then once at `after`, and returns the
 * slots enqueued, per job. (Ten-minute ticks through whole days are too slow for a shared machine.)
 */
async function tickEvery10Minutes(
  from: string,
  to: string,
  after: string,
): Promise<Record<string, string[]>> {
  const slots: Record<string, string[]> = { 'daily-0130': [], 'quarter-hour': [] }
  const times: number[] = []
  for (let t = Date.parse(from); t <= Date.parse(to); t += 10 * 60_000) times.push(t)
  times.push(Date.parse(after))
  for (const t of times) {
    const report = await jobs.tick({ now: new Date(t) })
    for (const entry of report.enqueued) slots[entry.name]?.push(entry.slot)
  }
  return slots
}

test('spring forward: 01:30 does not exist, so it runs once at the jump, 02:00 BST (01:00 UTC)', async () => {
  const slots = await tickEvery10Minutes(
    '2026-03-28T23:00:00Z',
    '2026-03-29T02:00:00Z',
    '2026-03-30T00:40:00Z',
  )
  expect(slots['daily-0130']).toEqual([
    '2026-03-29T01:00:00.000Z', // 02:00 BST: the clocks jumped over 01:30, which fires right after the gap
    '2026-03-30T00:30:00.000Z', // 01:30 BST
  ])
  // Every quarter hour once: the skipped 01:00-01:45 GMT make no slots of their own.
  const quarter = slots['quarter-hour'] ?? []
  expect(new Set(quarter).size).toBe(quarter.length)
  expect(quarter.filter((slot) => slot >= '2026-03-29T00:30' && slot < '2026-03-29T01:31')).toEqual([
    '2026-03-29T00:30:00.000Z', // 00:30 GMT
    '2026-03-29T00:45:00.000Z', // 00:45 GMT
    '2026-03-29T01:00:00.000Z', // 02:00 BST
    '2026-03-29T01:15:00.000Z', // 02:15 BST
    '2026-03-29T01:30:00.000Z', // 02:30 BST
  ])
  // Before the jump the current slot is the previous day's; from the jump on, today's.
  const early = await jobs.trigger('daily-0130', {}, { now: new Date('2026-03-29T00:59:00Z') })
  expect(early.slot).toBe('2026-03-28T01:30:00.000Z')
  const late = await jobs.trigger('daily-0130', {}, { now: new Date('2026-03-29T01:15:00Z') })
  expect(late.slot).toBe('2026-03-29T01:00:00.000Z')
})

test('fall back: 01:30 happens twice and runs once, at the first 01:30 (BST, 00:30 UTC)', async () => {
  // As if the schedules were new: no catch-up of the months since March.
  await jobs.executor.query('delete from nightshift.schedules')
  const slots = await tickEvery10Minutes(
    '2026-10-24T23:00:00Z',
    '2026-10-25T03:00:00Z',
    '2026-10-26T01:40:00Z',
  )
  expect(slots['daily-0130']).toEqual([
    '2026-10-25T00:30:00.000Z', // the first 01:30, BST
    '2026-10-26T01:30:00.000Z', // 01:30 GMT
  ])
  // Every quarter hour once: the repeated 01:00-01:45 (GMT, 01:00-01:45 UTC) are not slots again, and
  // no hour is skipped.
  const quarter = slots['quarter-hour'] ?? []
  expect(new Set(quarter).size).toBe(quarter.length)
  expect(quarter.filter((slot) => slot >= '2026-10-24T23:30' && slot < '2026-10-25T02:31')).toEqual([
    '2026-10-24T23:30:00.000Z', // 00:30 BST
    '2026-10-24T23:45:00.000Z',
    '2026-10-25T00:00:00.000Z', // 01:00 BST
    '2026-10-25T00:15:00.000Z',
    '2026-10-25T00:30:00.000Z',
    '2026-10-25T00:45:00.000Z', // 01:45 BST; then 01:00-01:45 GMT repeat and are not slots
    '2026-10-25T02:00:00.000Z', // 02:00 GMT
    '2026-10-25T02:15:00.000Z',
    '2026-10-25T02:30:00.000Z',
  ])
  // At the first 01:45 (BST) the current slot is today's; at the second (GMT) it is still today's, done.
  const first = await jobs.trigger('daily-0130', {}, { now: new Date('2026-10-25T00:45:00Z') })
  expect(first).toMatchObject({ slot: '2026-10-25T00:30:00.000Z', status: 'completed' })
  const again = await jobs.trigger('daily-0130', {}, { now: new Date('2026-10-25T01:45:00Z') })
  expect(again).toMatchObject({
    slot: '2026-10-25T00:30:00.000Z',
    status: 'already-done',
    jobId: first.jobId,
  })
  // Before the first 01:30 the current slot is the day before's.
  const before = await jobs.trigger('daily-0130', {}, { now: new Date('2026-10-25T00:15:00Z') })
  expect(before.slot).toBe('2026-10-24T00:30:00.000Z')
})
