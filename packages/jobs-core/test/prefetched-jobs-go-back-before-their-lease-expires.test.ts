import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('prefetch_ttl')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// Regression: the heartbeat extended only running jobs, and queued (prefetched) jobs were looked at only
// when a slot freed. Behind one job longer than the lease, the queued jobs' leases expired, the reaper
// spent their only attempt, and they ended `failed` without ever running.
test('jobs queued behind a job longer than the lease are handed back in time and each runs once', async () => {
  const runs = new Map<string, number>()
  const count = (id: string) => runs.set(id, (runs.get(id) ?? 0) + 1)
  const long = defineJob({
    name: 'long',
    priority: 1,
    run: async (_input, ctx) => {
      count(ctx.jobId)
      await sleep(2500)
    },
  })
  const quick = defineJob({ name: 'quick', maxAttempts: 1, run: (_input, ctx) => void count(ctx.jobId) })
  const jobs = createJobs({ db: db.url, jobs: [long, quick], leaseMs: 600 })
  try {
    await jobs.migrate()
    const ids = [
      (await jobs.enqueue('long', {})).id,
      ...(
        await jobs.enqueueMany(Array.from({ length: 4 }, () => ({ name: 'quick' as const, input: {} })))
      ).map((result) => result.id),
    ]
    // Claims all five at once: the long one runs, the four quick ones wait in the local queue.
    const worker = jobs.worker({ concurrency: 1, prefetch: 4, listen: false, pollIntervalMs: 50 })
    for (let i = 0; i < 600; i++) {
      const finished = await Promise.all(ids.map((id) => jobs.getJob(id)))
      if (finished.every((job) => job?.status === 'completed' || job?.status === 'failed')) break
      await sleep(25)
    }
    await worker.stop()
    const rows = await Promise.all(ids.map((id) => jobs.getJob(id)))
    expect(rows.map((job) => ({ status: job?.status, attempts: job?.attempts }))).toEqual(
      ids.map(() => ({ status: 'completed', attempts: 1 })),
    )
    expect(ids.map((id) => runs.get(id))).toEqual([1, 1, 1, 1, 1])
  } finally {
    await jobs.close()
  }
})
