import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('process_last_refills')
})
afterAll(() => db?.drop())

// Near the end of a drain, a claim that comes back short (nothing due is left) can race a completion's
// claim still in flight. process() used to return at once and hand back, unrun, what that claim
// brought while every slot was busy: 8 rounds in 100 took fewer than the 127 due jobs on this machine.
// It now waits for the claims in flight and runs what they bring. A race, so many rounds.
test('process() with a limit above what is due runs every due job, its last refills included', async () => {
  const work = defineJob({
    name: 'work',
    run: async (_input, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, Number(ctx.jobId) % 3))
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [work], logger: false })
  try {
    await jobs.migrate()
    const short: number[] = []
    for (let round = 0; round < 60; round++) {
      await jobs.enqueueMany(Array.from({ length: 127 }, () => ({ name: 'work' as const, input: {} })))
      const report = await jobs.process({ limit: 1000, concurrency: 8 })
      if (report.claimed !== 127 || report.completed !== 127) short.push(report.claimed)
      // Whatever a short round left is run before the next, so each round starts from 127 due jobs.
      if (short.length > 0) await jobs.process({ limit: 1000, concurrency: 8 })
    }
    expect(short).toEqual([])
    expect((await jobs.stats()).counts).toMatchObject({ pending: 0, processing: 0, completed: 60 * 127 })
  } finally {
    await jobs.close()
  }
})

// A completion's claim that fails with its statement (here: a result jsonb refuses, SQLSTATE 22P05)
// claimed nothing; process() must not keep waiting for it. Waiting would hold the call to its deadline,
// ten minutes here, far past the test's timeout.
test('process() returns once every due job ran when a completion that carried a claim failed', async () => {
  const poisoned = defineJob({
    name: 'poisoned',
    run: async (_input, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, Number(ctx.jobId) % 3))
      return Number(ctx.jobId) % 10 === 5 ? { text: 'a NUL \u0000 here' } : { ok: true }
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [poisoned], schema: 'process_refill_failed', logger: false })
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: 60 }, () => ({ name: 'poisoned' as const, input: {} })))
    const report = await jobs.process({ limit: 1000, concurrency: 4, deadlineMs: 600_000 })
    expect(report).toMatchObject({ claimed: 60, completed: 54, failed: 6, running: 0 })
    expect((await jobs.stats()).counts).toMatchObject({ pending: 0, processing: 0, completed: 54, failed: 6 })
  } finally {
    await jobs.close()
  }
})
