import { createJobs } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type DenoFunction, startDenoFunction } from '../../../test-support/deno-function.js'
import {
  createPooledTestDatabase,
  type PooledTestDatabase,
} from '../../../test-support/pooled-test-database.js'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { functionsConfig, secrets } from './function-environment.js'

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let database: PooledTestDatabase
let fn: DenoFunction

beforeAll(async () => {
  if (missing) return
  database = await createPooledTestDatabase('supabase_deadline')
  const jobs = createJobs({ db: database.url, jobs: [] })
  await jobs.migrate()
  await jobs.close()
  fn = await startDenoFunction(
    'packages/adapter-supabase/test/functions/short-deadline/index.ts',
    { ...secrets, SUPABASE_DB_URL: database.pgbouncer.url },
    { config: functionsConfig },
  )
}, 120_000)
afterAll(async () => {
  await fn?.kill()
  await database?.drop()
})

const bearer = { authorization: `Bearer ${secrets.SUPABASE_SERVICE_ROLE_KEY}` }

it.skipIf(missing)(
  'a job past the deadline is answered running (202) and finishes once in the same isolate',
  async () => {
    const response = await fetch(`${fn.url}/long-job`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{}',
    })
    const answer = (await response.json()) as { ok: boolean; status: string; jobId: string }
    expect(response.status).toBe(202)
    expect(answer).toMatchObject({ ok: true, status: 'running' })
    // The job goes on after the answer; its status is read through the same function.
    let job: { status: string; attempts: number; result: unknown } | undefined
    for (;;) {
      const read = await fetch(`${fn.url}/long-job/jobs/${answer.jobId}`, { headers: bearer })
      job = ((await read.json()) as { job: typeof job }).job
      if (job?.status !== 'processing') break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(job).toMatchObject({ status: 'completed', attempts: 1, result: { attempt: 1 } })
  },
)
