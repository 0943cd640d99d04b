import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('worker_concurrency_refills')
})
afterAll(() => db?.drop())

// The worker's loop claims for the slots free when it sends its claim, while the statement recording
// finished runs claims their replacements too (refill). Whichever returns second must start only what
// is still free: the loop used to start all it asked for, running up to 9 jobs at once with 5 allowed.
test('a worker runs at most `concurrency` jobs at once while its completions claim beside its loop', async () => {
  const count = 600
  let running = 0
  let most = 0
  const ran = new Set<string>()
  let allRan: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    allRan = resolve
  })
  const work = defineJob({
    name: 'work',
    run: async (_input, ctx) => {
      running++
      most = Math.max(most, running)
      // Handlers of 0, 1 and 2 ms: slots free at different times, so loop claims and refills interleave.
      await new Promise((resolve) => setTimeout(resolve, Number(ctx.jobId) % 3))
      running--
      ran.add(ctx.jobId)
      if (ran.size === count) allRan()
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [work], logger: false })
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: count }, () => ({ name: 'work' as const, input: {} })))
    const worker = jobs.worker({ concurrency: 5 })
    await finished
    await worker.stop()
    expect(most).toBeLessThanOrEqual(5)
    expect((await jobs.stats()).counts).toMatchObject({ completed: count })
  } finally {
    await jobs.close()
  }
})
