import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('timeout_stop')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return
    await sleep(100)
  }
  throw new Error(`gave up waiting for ${what}`)
}

test('a hung handler is aborted at its timeout and the attempt fails with "timed out"', async () => {
  let sawAbort = false
  const hang = defineJob({
    name: 'hang',
    timeoutMs: 200,
    maxAttempts: 1,
    run: (_input, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          sawAbort = true
          reject(ctx.signal.reason)
        })
      }),
  })
  const jobs = createJobs({ db: db.url, jobs: [hang], schema: 'timeouts' })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('hang', {})
    const report = await jobs.process()
    expect(report).toMatchObject({ claimed: 1, failed: 1 })
    expect(sawAbort).toBe(true)
    const job = await jobs.getJob(id)
    expect(job?.status).toBe('failed')
    expect(job?.errorMessage).toMatch(/timed out/)
  } finally {
    await jobs.close()
  }
})

test('the heartbeat keeps a handler that outlives leaseMs from being reclaimed', async () => {
  let runs = 0
  const long = defineJob({
    name: 'long',
    run: async () => {
      runs++
      await sleep(1500)
      return 'done'
    },
  })
  // Two queues on the same table: a second worker would reclaim the job if its lease ran out.
  const a = createJobs({ db: db.url, jobs: [long], schema: 'heartbeat', leaseMs: 300 })
  const b = createJobs({ db: db.url, jobs: [long], schema: 'heartbeat', leaseMs: 300 })
  try {
    await a.migrate()
    const { id } = await a.enqueue('long', {})
    const first = a.worker({ listen: false, pollIntervalMs: 50 })
    await until(async () => (await a.getJob(id))?.status === 'processing', 'the claim')
    const second = b.worker({ listen: false, pollIntervalMs: 50 })
    await until(async () => (await a.getJob(id))?.status === 'completed', 'completion')
    await Promise.all([first.stop(), second.stop()])
    expect(runs).toBe(1)
    expect(await a.getJob(id)).toMatchObject({ status: 'completed', attempts: 1, result: 'done' })
  } finally {
    await Promise.all([a.close(), b.close()])
  }
})

test('stop() lets in-flight jobs finish', async () => {
  let finished = 0
  const work = defineJob({
    name: 'work',
    run: async () => {
      await sleep(500)
      finished++
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [work], schema: 'graceful' })
  try {
    await jobs.migrate()
    await jobs.enqueueMany([
      { name: 'work', input: {} },
      { name: 'work', input: {} },
    ])
    const worker = jobs.worker({ listen: false, pollIntervalMs: 50, concurrency: 5 })
    await until(async () => (await jobs.stats()).counts.processing === 2, 'both claims')
    const counts = await worker.stop({ timeoutMs: 30_000 })
    expect(finished).toBe(2)
    expect(counts).toMatchObject({ completed: 2, released: 0 })
    expect((await jobs.stats()).counts).toMatchObject({ completed: 2, processing: 0, pending: 0 })
  } finally {
    await jobs.close()
  }
})

test('stop() with a short timeout aborts running handlers and releases their jobs without using an attempt', async () => {
  let started = 0
  let aborted = 0
  const stuck = defineJob({
    name: 'stuck',
    run: (_input, ctx) =>
      new Promise((_resolve, reject) => {
        started++
        ctx.signal.addEventListener('abort', () => {
          aborted++
          reject(ctx.signal.reason)
        })
      }),
  })
  const jobs = createJobs({ db: db.url, jobs: [stuck], schema: 'hard_stop' })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('stuck', {})
    const worker = jobs.worker({ listen: false, pollIntervalMs: 50 })
    // The handler running, not only the row claimed: a claim's answer can still be on its way to the
    // worker when the row reads processing, and stop() then releases the job unstarted (a busy full run did).
    await until(async () => started === 1, 'the handler to start')
    const counts = await worker.stop({ timeoutMs: 100 })
    expect(aborted).toBe(1)
    expect(counts).toMatchObject({ released: 1, completed: 0, retried: 0, failed: 0 })
    const job = await jobs.getJob(id)
    expect(job).toMatchObject({ status: 'pending', attempts: 0, lockedUntil: null })
    expect(job?.scheduledFor.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
  } finally {
    await jobs.close()
  }
})
