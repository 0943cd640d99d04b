import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('prefetch_cancel')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// Regression: a job waiting in a worker's local queue started without its row being looked at again,
// so `cancel()` of a prefetched job let its handler run anyway.
test('a job cancelled while it waits in the local queue never starts', async () => {
  const started: string[] = []
  let release = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  const blocker = defineJob({
    name: 'blocker',
    priority: 1,
    run: async (_input, ctx) => {
      started.push(ctx.jobId)
      await released
    },
  })
  const queued = defineJob({ name: 'queued', run: (_input, ctx) => void started.push(ctx.jobId) })
  const jobs = createJobs({ db: db.url, jobs: [blocker, queued] })
  try {
    await jobs.migrate()
    const { id: blockerId } = await jobs.enqueue('blocker', {})
    const waiting = (
      await jobs.enqueueMany(Array.from({ length: 4 }, () => ({ name: 'queued' as const, input: {} })))
    ).map((result) => result.id)
    const worker = jobs.worker({ concurrency: 1, prefetch: 4, listen: false, pollIntervalMs: 50 })
    // The blocker runs and the four others are claimed into the local queue.
    for (let i = 0; i < 400 && (await jobs.stats()).counts.processing < 5; i++) await sleep(25)
    // A claim counts as a check of its rows for 100 ms (a cancel within that window races the start):
    // cancel once the claim is older, so the start must look at the rows again. (The wait also lets the
    // worker read its claim's answer, which may arrive after the stats query above saw the rows.)
    await sleep(250)
    expect(started).toEqual([blockerId])
    expect((await jobs.stats()).counts.processing).toBe(5)
    const [first, second] = waiting as [string, string]
    expect(await jobs.cancel(first)).toBe(true)
    expect(await jobs.cancel(second)).toBe(true)
    release()
    const others = waiting.slice(2)
    for (let i = 0; i < 400; i++) {
      const rows = await Promise.all(others.map((id) => jobs.getJob(id)))
      if (rows.every((job) => job?.status === 'completed')) break
      await sleep(25)
    }
    await worker.stop()
    expect(started).toEqual([blockerId, ...others])
    expect((await jobs.getJob(first))?.status).toBe('cancelled')
    expect((await jobs.getJob(second))?.status).toBe('cancelled')
    expect((await jobs.getJob(blockerId))?.status).toBe('completed')
  } finally {
    release()
    await jobs.close()
  }
})
