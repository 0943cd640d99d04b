import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('retries')
})
afterAll(() => db?.drop())

test('a failing job is retried with backoff, ends failed with its error, and retry() revives it', async () => {
  let healthy = false
  const attempts: number[] = []
  const flaky = defineJob({
    name: 'flaky',
    maxAttempts: 3,
    // Large backoff: the delay is visible in scheduled_for; the test moves it back to run the retry now.
    backoff: { baseMs: 60_000, maxMs: 600_000 },
    run: (_input, ctx) => {
      attempts.push(ctx.attempt)
      if (!healthy) throw new Error(`provider down on attempt ${ctx.attempt}`)
      return 'sent'
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [flaky] })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('flaky', {})
    const due = `update nightshift.jobs set scheduled_for = now() where id = $1`
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = Date.now()
      const report = await jobs.process()
      const job = await jobs.getJob(id)
      expect(job?.attempts).toBe(attempt)
      expect(job?.errorMessage).toBe(`provider down on attempt ${attempt}`)
      if (attempt < 3) {
        expect(report).toMatchObject({ claimed: 1, retried: 1, failed: 0 })
        expect(job?.status).toBe('pending')
        // Backoff with jitter: between half and all of base·2^(attempt−1).
        const delay = (job?.scheduledFor.getTime() ?? 0) - before
        const full = 60_000 * 2 ** (attempt - 1)
        expect(delay).toBeGreaterThanOrEqual(full / 2 - 2000)
        expect(delay).toBeLessThanOrEqual(full + 2000)
        // Not due yet: nothing is claimed.
        expect((await jobs.process()).claimed).toBe(0)
        await jobs.executor.query(due, [id])
      } else {
        expect(report).toMatchObject({ claimed: 1, retried: 0, failed: 1 })
        expect(job?.status).toBe('failed')
      }
    }
    expect((await jobs.process()).claimed).toBe(0)
    expect(attempts).toEqual([1, 2, 3])

    healthy = true
    await jobs.retry(id)
    expect(await jobs.getJob(id)).toMatchObject({ status: 'pending', attempts: 0 })
    const report = await jobs.process()
    expect(report).toMatchObject({ claimed: 1, completed: 1 })
    expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', attempts: 1, result: 'sent' })
    await expect(jobs.retry(id)).rejects.toMatchObject({ code: 'invalid_option' })
  } finally {
    await jobs.close()
  }
})
