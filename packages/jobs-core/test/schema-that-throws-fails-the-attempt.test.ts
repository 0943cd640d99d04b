import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('schema_throws')
})
afterAll(() => db?.drop())

// The payload is checked again before each run. A schema whose own code throws there (a refinement
// that calls a service that is down, say) must fail that attempt like a handler error, not escape as
// an unhandled rejection that takes the worker process down.
test('a schema that throws while a payload is checked before a run fails that attempt, to be retried', async () => {
  let exploding = false
  const checked = defineJob({
    name: 'checked',
    input: z.object({ n: z.number() }).refine(() => {
      if (exploding) throw new Error('the check exploded')
      return true
    }),
    run: async () => {},
  })
  const jobs = createJobs({ db: db.url, jobs: [checked] })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('checked', { n: 1 })
    exploding = true
    const report = await jobs.process({ limit: 1 })
    expect(report).toMatchObject({ claimed: 1, retried: 1, completed: 0 })
    expect(await jobs.getJob(id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      errorMessage: 'the check exploded',
    })
  } finally {
    await jobs.close()
  }
})
