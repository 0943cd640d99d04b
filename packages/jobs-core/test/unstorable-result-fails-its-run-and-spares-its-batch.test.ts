import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('unstorable')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return
    await sleep(20)
  }
  throw new Error(`gave up waiting for ${what}`)
}

// jsonb cannot hold \u0000 (SQLSTATE 22P05): one such result used to fail the statement completing the
// whole batch, so every run in it stayed `processing` and ran again once its lease expired.
test('a result jsonb refuses fails its own run with a clear error; the other runs of its batch are recorded once', async () => {
  const executions = new Map<number, number>()
  let open: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  const work = defineJob({
    name: 'work',
    input: z.object({ n: z.number() }),
    run: async ({ n }) => {
      executions.set(n, (executions.get(n) ?? 0) + 1)
      // All eight finish together: the first is written alone, the other seven (the poisoned one among
      // them, started last) wait for it and are written together in the next statement.
      await gate
      return n === 7 ? { text: 'a NUL \u0000 here' } : { n }
    },
  })
  // A short lease: on the old code the refused batch's runs expire and run again within the test.
  const jobs = createJobs({ db: db.url, jobs: [work], schema: 'unstorable', leaseMs: 1000 })
  const worker = jobs.worker({ concurrency: 8, pollIntervalMs: 50, listen: false })
  try {
    await jobs.migrate()
    const enqueued = await jobs.enqueueMany(
      Array.from({ length: 8 }, (_, n) => ({ name: 'work' as const, input: { n } })),
    )
    await until(() => executions.size === 8, 'all eight runs to start')
    open()
    const ids = enqueued.map((job) => job.id)
    await until(async () => {
      const states = await Promise.all(ids.map((id) => jobs.getJob(id)))
      return states.every((job) => job?.status === 'completed' || job?.status === 'failed')
    }, 'every job to end')
    for (let n = 0; n < 7; n++) {
      expect(executions.get(n), `executions of innocent job ${n}`).toBe(1)
      expect(await jobs.getJob(ids[n] as string)).toMatchObject({ status: 'completed', result: { n } })
    }
    expect(executions.get(7)).toBe(1)
    const poisoned = await jobs.getJob(ids[7] as string)
    expect(poisoned).toMatchObject({ status: 'failed', attempts: 1, result: null })
    expect(poisoned?.errorMessage).toMatch(/^result cannot be stored: unsupported Unicode escape sequence/)
    expect(poisoned?.errorMessage).toContain('\\u0000 cannot be converted to text')
    expect(worker.counts).toMatchObject({ completed: 7, failed: 1 })
  } finally {
    open()
    await worker.stop({ timeoutMs: 2000 })
    await jobs.close()
  }
})

// text cannot hold NUL either (22021): the failure of a run whose error message carries one must be
// recorded, with the NUL made visible, and a lone surrogate in a result (22P02) fails its run as above.
test('an error message with NUL is stored escaped; a result with a lone surrogate fails its run', async () => {
  const broken = defineJob({
    name: 'broken',
    maxAttempts: 1,
    run: () => {
      throw new Error('bad byte \u0000 from the provider')
    },
  })
  const truncated = defineJob({ name: 'truncated', run: () => ({ text: '😀'.slice(0, 1) }) })
  const jobs = createJobs({ db: db.url, jobs: [broken, truncated], schema: 'unstorable_single' })
  try {
    await jobs.migrate()
    const a = await jobs.enqueue('broken', {})
    const b = await jobs.enqueue('truncated', {})
    const report = await jobs.process({ limit: 2 })
    expect(report).toMatchObject({ claimed: 2, failed: 2, completed: 0 })
    expect(await jobs.getJob(a.id)).toMatchObject({
      status: 'failed',
      errorMessage: 'bad byte \\u0000 from the provider',
    })
    const job = await jobs.getJob(b.id)
    expect(job).toMatchObject({ status: 'failed', attempts: 1 })
    expect(job?.errorMessage).toMatch(/^result cannot be stored: invalid input syntax for type json/)
  } finally {
    await jobs.close()
  }
})
