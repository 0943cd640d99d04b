import { createHandler, createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('not_migrated')
})
afterAll(() => db?.drop())

const ping = defineJob({ name: 'ping', input: z.object({ n: z.number() }), run: ({ n }) => ({ n }) })
const nightly = defineJob({ name: 'nightly', schedule: '0 2 * * *', run: () => null })

test('before migrate(): enqueue, process, tick and trigger say "run jobs.migrate()"; after it they work', async () => {
  const jobs = createJobs({ db: db.url, jobs: [ping, nightly] })
  try {
    for (const call of [
      () => jobs.enqueue('ping', { n: 1 }),
      () => jobs.enqueueMany([{ name: 'ping', input: { n: 1 } }]),
      () => jobs.process(),
      () => jobs.tick(),
      () => jobs.trigger('ping', { n: 1 }),
      () => jobs.stats(),
    ]) {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(NightshiftError)
      expect(error).toMatchObject({
        code: 'not_migrated',
        message: expect.stringContaining('run jobs.migrate() first'),
        // PostgreSQL's own error, kept as the cause.
        cause: expect.objectContaining({ code: '42P01' }),
      })
    }
    await jobs.migrate()
    const { id } = await jobs.enqueue('ping', { n: 1 })
    expect(await jobs.process({ limit: 1 })).toMatchObject({ completed: 1 })
    expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', result: { n: 1 } })
  } finally {
    await jobs.close()
  }
})

test('a queue given another schema name than the one migrated says so the same way', async () => {
  const jobs = createJobs({ db: db.url, jobs: [ping], schema: 'other_schema' })
  try {
    const error = await jobs.enqueue('ping', { n: 2 }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'not_migrated', message: expect.stringContaining('other_schema') })
    // Over HTTP it stays an internal error without detail; the message is the operator's, in the log.
    const logged: string[] = []
    const served = createJobs({
      db: db.url,
      jobs: [ping],
      schema: 'other_schema',
      logger: {
        debug() {},
        info() {},
        warn() {},
        error: (_message, fields) => logged.push(String(fields?.error)),
      },
    })
    const handler = createHandler(served, { auth: 'none' })
    const response = await handler(
      new Request('http://localhost/ping', {
        method: 'POST',
        body: '{"n":3}',
        headers: { 'content-type': 'application/json' },
      }),
    )
    expect(response.status).toBe(500)
    expect(logged.join('\n')).toContain('run jobs.migrate() first')
    await served.close()
  } finally {
    await jobs.close()
  }
})
