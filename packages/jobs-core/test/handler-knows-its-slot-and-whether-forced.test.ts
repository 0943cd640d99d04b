import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('ctx_slot')
})
afterAll(() => db?.drop())

test('ctx.slot is the schedule slot a run is for and ctx.forced says whether it was forced', async () => {
  const seen: { slot: string | null; forced: boolean }[] = []
  const daily = defineJob({
    name: 'daily-bill',
    schedule: '0 2 * * *',
    run: (_input, ctx) => {
      seen.push({ slot: ctx.slot?.toISOString() ?? null, forced: ctx.forced })
    },
  })
  const plain = defineJob({
    name: 'plain',
    run: (_input, ctx) => {
      seen.push({ slot: ctx.slot?.toISOString() ?? null, forced: ctx.forced })
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [daily, plain], schema: 'ctx_slot' })
  try {
    await jobs.migrate()
    // A late trigger (09:30) runs the 02:00 slot: the handler acts on its slot, not on the clock.
    const now = new Date('2026-11-28T09:30:00Z')
    await jobs.trigger('daily-bill', {}, { now })
    await jobs.trigger('daily-bill', {}, { now, force: true })
    await jobs.trigger('plain', {}, { force: true })
    await jobs.enqueue('plain', {}, { idempotencyKey: 'plain@not-a-date' })
    await jobs.process()
    expect(seen).toEqual([
      { slot: '2026-11-28T02:00:00.000Z', forced: false },
      { slot: '2026-11-28T02:00:00.000Z', forced: true },
      { slot: null, forced: true },
      { slot: null, forced: false },
    ])
  } finally {
    await jobs.close()
  }
})
