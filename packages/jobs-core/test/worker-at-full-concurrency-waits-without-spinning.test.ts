import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('full_concurrency')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// Regression: a notification that arrived while every slot was busy left the worker's wake-up flag set,
// and the "wait for a free slot" step then returned at once, over and over, without yielding to the
// event loop: timers and I/O (the running handlers) starved until the next expired-lease sweep (30 s
// with a long lease).
test('a notification while all slots are busy does not stall the running jobs', async () => {
  const finished: number[] = []
  const work = defineJob({
    name: 'work',
    run: async () => {
      await sleep(300)
      finished.push(Date.now())
    },
  })
  // A long lease makes the sweep that used to unstall the loop 30 s away.
  const jobs = createJobs({ db: db.url, jobs: [work], leaseMs: 600_000 })
  const producer = createJobs({ db: db.url, jobs: [work] })
  try {
    await jobs.migrate()
    const worker = jobs.worker({ concurrency: 1, listen: true, pollIntervalMs: 60_000 })
    await sleep(300)
    const started = Date.now()
    await producer.enqueue('work', {})
    // Wait until the only slot is busy, then notify while it is.
    for (let i = 0; i < 100 && (await producer.stats()).counts.processing === 0; i++) await sleep(20)
    await producer.enqueue('work', {})
    await producer.enqueue('work', {})
    // Checked by wall clock, because a starved event loop also starves this test's timers.
    while (finished.length < 3 && Date.now() - started < 60_000) await sleep(50)
    expect(finished).toHaveLength(3)
    // Three 300 ms jobs one after another; a stalled loop could not finish them before the 30 s sweep.
    expect((finished[2] as number) - started).toBeLessThan(20_000)
    await worker.stop()
  } finally {
    await producer.close()
    await jobs.close()
  }
})
