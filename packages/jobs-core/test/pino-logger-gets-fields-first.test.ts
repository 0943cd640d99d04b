import { Writable } from 'node:stream'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('pino_logger')
})
afterAll(() => db?.drop())

// Regression: nightshift called `logger.warn(message, fields)`; pino's order is `(fields, message)`, so
// with pino every field (job, id, error) was silently dropped and the message lost its text.
test('a pino logger passed as it is gets each entry as fields first, message second', async () => {
  const entries: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) entries.push(JSON.parse(line))
      done()
    },
  })
  const logger = pino({ level: 'info' }, sink)
  const broken = defineJob({
    name: 'broken-export',
    maxAttempts: 1,
    run: (_input, ctx) => {
      ctx.logger.info('exporting', { rows: 3 })
      throw new Error('disk full')
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [broken], logger })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('broken-export', {})
    await jobs.process({ limit: 1 })
    expect((await jobs.getJob(id))?.status).toBe('failed')
    const fromHandler = entries.find((entry) => entry.msg === 'exporting')
    expect(fromHandler).toMatchObject({ level: 30, job: 'broken-export', jobId: id, attempt: 1, rows: 3 })
    const failed = entries.find((entry) => entry.msg === 'nightshift: a job failed for good')
    expect(failed).toMatchObject({
      level: 50,
      job: 'broken-export',
      jobId: id,
      attempt: 1,
      error: 'disk full',
    })
  } finally {
    await jobs.close()
  }
})
