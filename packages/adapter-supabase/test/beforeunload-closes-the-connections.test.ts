import { createJobs } from '@nightshift/jobs-core'
import { contractJobs } from '@nightshift/jobs-core/testing'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type DenoFunction, startDenoFunction } from '../../../test-support/deno-function.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { contractFunction, functionsConfig, secrets } from './function-environment.js'

let database: TestDatabase
let admin: pg.Pool
const started: DenoFunction[] = []

beforeAll(async () => {
  database = await createTestDatabase('supabase_unload')
  const jobs = createJobs({ db: database.url, jobs: contractJobs() })
  await jobs.migrate()
  await jobs.close()
  admin = new pg.Pool({ connectionString: database.url, max: 1 })
})
afterAll(async () => {
  await Promise.all(started.map((fn) => fn.kill()))
  await admin?.end()
  await database?.drop()
})

/** A function connected directly (not through the pooler) under its own application_name, so its connections can be counted. */
async function serve(entry: string, applicationName: string) {
  const url = new URL(database.url)
  url.searchParams.set('application_name', applicationName)
  const fn = await startDenoFunction(
    entry,
    { ...secrets, SUPABASE_DB_URL: url.toString() },
    { config: functionsConfig },
  )
  started.push(fn)
  return fn
}

async function connections(applicationName: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    'select count(*)::int as n from pg_stat_activity where application_name = $1',
    [applicationName],
  )
  return rows[0]?.n ?? 0
}

async function echoes(fn: DenoFunction, path: string, count: number) {
  const answers = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      fetch(`${fn.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secrets.SUPABASE_SERVICE_ROLE_KEY}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ message: `echo ${index}` }),
      }).then((response) => response.status),
    ),
  )
  expect(answers.every((status) => status === 200)).toBe(true)
}

async function untilNone(applicationName: string): Promise<void> {
  while ((await connections(applicationName)) > 0) await new Promise((resolve) => setTimeout(resolve, 50))
}

it('a function opens at most two connections, and closes them on beforeunload', async () => {
  const fn = await serve(contractFunction, 'ns-supabase-definitions')
  await echoes(fn, '/nightshift/contract-echo', 8)
  const open = await connections('ns-supabase-definitions')
  expect(open).toBeGreaterThanOrEqual(1)
  expect(open).toBeLessThanOrEqual(2)
  // The Edge runtime dispatches beforeunload before it stops an isolate; the launcher does on SIGTERM.
  fn.process.kill('SIGTERM')
  await untilNone('ns-supabase-definitions')
  expect(fn.process.exitCode).toBe(null)
})

it('beforeunload runs the close a function gives for its own pool, which closes nothing by itself', async () => {
  const fn = await serve('packages/adapter-supabase/test/functions/own-pool/index.ts', 'ns-supabase-own-pool')
  await echoes(fn, '/contract-echo', 4)
  expect(await connections('ns-supabase-own-pool')).toBeGreaterThanOrEqual(1)
  fn.process.kill('SIGTERM')
  await untilNone('ns-supabase-own-pool')
  expect(fn.output()).toContain('beforeunload dispatched')
})
