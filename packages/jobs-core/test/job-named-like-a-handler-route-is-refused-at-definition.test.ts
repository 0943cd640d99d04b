import { createHandler, createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('reserved_names')
})
afterAll(() => db?.drop())

test.each(['dashboard', 'health', 'jobs', 'metrics', 'tick'])(
  'defineJob({ name: %j }) is refused with the list of route names',
  (name) => {
    const defining = () => defineJob({ name, run: () => null })
    expect(defining).toThrow(NightshiftError)
    expect(defining).toThrow(
      `job name "${name}" is the name of an HTTP handler route (dashboard, health, jobs, metrics, tick), so the job would be unreachable over HTTP; choose another name`,
    )
  },
)

test('a name that only starts like a route is a job like any other, served on its own route', async () => {
  const jobs = createJobs({
    db: db.url,
    jobs: [defineJob({ name: 'health-report', run: () => ({ ok: 1 }) })],
  })
  try {
    await jobs.migrate()
    const handler = createHandler(jobs, { auth: 'none' })
    const response = await handler(
      new Request('http://localhost/health-report', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, status: 'completed', result: { ok: 1 } })
    // And the route of the same family still answers as the route.
    expect((await handler(new Request('http://localhost/health'))).status).toBe(200)
  } finally {
    await jobs.close()
  }
})
