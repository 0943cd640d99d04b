import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('default_logger')
})
afterAll(() => db?.drop())
afterEach(() => {
  vi.restoreAllMocks()
})

// Regression: the default logger was silent, so a handler that threw, retried and failed for good left
// no trace anywhere; and `ctx.logger` lines said nothing of the job they came from.
test('with no logger given, each failed attempt and the final failure is one line on stderr naming the job', async () => {
  const lines: string[] = []
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '))
  })
  const flaky = defineJob({
    name: 'flaky-sync',
    maxAttempts: 2,
    backoff: { baseMs: 10, maxMs: 10 },
    run: (_input, ctx) => {
      ctx.logger.warn('upstream said no', { status: 503 })
      throw new Error('upstream 503')
    },
  })
  const quiet = defineJob({
    name: 'quiet',
    run: (_input, ctx) => ctx.logger.info('an info line, below warn'),
  })
  const jobs = createJobs({ db: db.url, jobs: [flaky, quiet] })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('flaky-sync', {})
    await jobs.enqueue('quiet', {})
    for (let i = 0; i < 200 && (await jobs.getJob(id))?.status !== 'failed'; i++) {
      await jobs.process({ limit: 10 })
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect((await jobs.getJob(id))?.status).toBe('failed')
  } finally {
    await jobs.close()
  }
  for (const line of lines) expect(line.split('\n')).toHaveLength(1)
  const retry = lines.filter((line) => line.includes('a job attempt failed; it will be retried'))
  const final = lines.filter((line) => line.includes('a job failed for good'))
  const fromHandler = lines.filter((line) => line.includes('upstream said no'))
  expect(retry).toHaveLength(1)
  expect(final).toHaveLength(1)
  expect(fromHandler).toHaveLength(2)
  const fields = (line: string) => JSON.parse(line.slice(line.indexOf('{')))
  expect(retry[0]?.startsWith('[warn] ')).toBe(true)
  expect(fields(retry[0] as string)).toMatchObject({
    job: 'flaky-sync',
    attempt: 1,
    maxAttempts: 2,
    error: 'upstream 503',
  })
  expect(fields(retry[0] as string).durationMs).toBeGreaterThanOrEqual(0)
  expect(fields(retry[0] as string).retryInMs).toBeGreaterThanOrEqual(0)
  expect(final[0]?.startsWith('[error] ')).toBe(true)
  expect(fields(final[0] as string)).toMatchObject({ job: 'flaky-sync', attempt: 2, error: 'upstream 503' })
  // ctx.logger is bound to its run.
  expect(fromHandler.map((line) => fields(line))).toEqual([
    { job: 'flaky-sync', jobId: expect.any(String), attempt: 1, status: 503 },
    { job: 'flaky-sync', jobId: expect.any(String), attempt: 2, status: 503 },
  ])
  expect(lines.some((line) => line.includes('an info line'))).toBe(false)
})

test('logger: false logs nothing', async () => {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
  const failing = defineJob({
    name: 'failing',
    maxAttempts: 1,
    run: () => {
      throw new Error('no')
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [failing], logger: false, schema: 'silent_logger' })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('failing', {})
    await jobs.process({ limit: 1 })
    expect((await jobs.getJob(id))?.status).toBe('failed')
  } finally {
    await jobs.close()
  }
  expect(spy).not.toHaveBeenCalled()
})
