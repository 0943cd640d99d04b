import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('process_refill')
})
afterAll(() => db?.drop())

// process() claims replacements in the statement that records finished runs (as the worker does): it
// must still take exactly `limit` jobs and never run more than `concurrency` at once.
test('process() with refills takes exactly limit jobs, runs at most concurrency at once, and each once', async () => {
  let running = 0
  let most = 0
  const ran: string[] = []
  const work = defineJob({
    name: 'work',
    run: async (_input, ctx) => {
      running++
      most = Math.max(most, running)
      ran.push(ctx.jobId)
      await new Promise((resolve) => setTimeout(resolve, Number(ctx.jobId) % 3))
      running--
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [work], logger: false })
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: 200 }, () => ({ name: 'work' as const, input: {} })))
    const first = await jobs.process({ limit: 73, concurrency: 5 })
    expect(first).toMatchObject({ claimed: 73, completed: 73, running: 0 })
    expect(most).toBeLessThanOrEqual(5)
    expect((await jobs.stats()).counts).toMatchObject({ pending: 127, completed: 73 })
    const rest = await jobs.process({ limit: 1000, concurrency: 8 })
    expect(rest).toMatchObject({ claimed: 127, completed: 127, running: 0 })
    expect(most).toBeLessThanOrEqual(8)
    expect(new Set(ran).size).toBe(200)
    expect(ran).toHaveLength(200)
  } finally {
    await jobs.close()
  }
})
