import { authFromEnv, functionEnv, serveJobs } from '@nightshift/adapter-supabase'
import { createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let database: TestDatabase

const slowJob = defineJob({
  name: 'slow-report',
  run: async () => {
    await new Promise((resolve) => setTimeout(resolve, 600))
    return { done: true }
  },
})
const quickJob = defineJob({ name: 'quick-report', run: () => ({ quick: true }) })

beforeAll(async () => {
  database = await createTestDatabase('supabase_env')
  const jobs = createJobs({ db: database.url, jobs: [slowJob] })
  await jobs.migrate()
  await jobs.close()
})
afterAll(async () => {
  await database?.drop()
})

/** A function environment as `supabase secrets set` makes it. */
const envOf =
  (values: Record<string, string>) =>
  (name: string): string | undefined =>
    values[name]

function thrown(run: () => unknown): NightshiftError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(NightshiftError)
    return error as NightshiftError
  }
  throw new Error('expected an error')
}

function post(
  handler: (request: Request) => Promise<Response>,
  path: string,
  headers: Record<string, string>,
) {
  return handler(
    new Request(`http://functions.local${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    }),
  )
}

describe('serveJobs reads the function’s environment', () => {
  it('names the variable that is missing, never a secret’s value', () => {
    const noDatabase = thrown(() =>
      serveJobs([quickJob], { env: envOf({ SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789' }) }),
    )
    expect(noDatabase.code).toBe('invalid_option')
    expect(noDatabase.message).toContain('SUPABASE_DB_URL is not set')
    expect(noDatabase.message).not.toContain('service-role-key-0123456789')
    expect(noDatabase.message).toContain('NIGHTSHIFT_DB_URL')
    const noSecret = thrown(() => serveJobs([quickJob], { env: envOf({ SUPABASE_DB_URL: database.url }) }))
    expect(noSecret.message).toContain('SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS, CRON_SECRET')
    const badKeys = thrown(() =>
      authFromEnv(envOf({ SUPABASE_SECRET_KEYS: 'sb_secret_not-json-0123456789' })),
    )
    expect(badKeys.message).toContain('SUPABASE_SECRET_KEYS is not JSON')
    expect(badKeys.message).not.toContain('sb_secret_not-json')
    const shortKey = thrown(() => authFromEnv(envOf({ CRON_SECRET: 'short' })))
    expect(shortKey.message).toBe('CRON_SECRET must be 8 characters or more')
  })

  it('reads process.env outside Deno', () => {
    process.env.NIGHTSHIFT_ADAPTER_TEST_VARIABLE = 'from process.env'
    expect(functionEnv()('NIGHTSHIFT_ADAPTER_TEST_VARIABLE')).toBe('from process.env')
    delete process.env.NIGHTSHIFT_ADAPTER_TEST_VARIABLE
  })

  it('accepts the newer SUPABASE_SECRET_KEYS and a token in SCHEDULER_SECRET_HEADER', async () => {
    const handler = serveJobs([quickJob], {
      env: envOf({
        SUPABASE_DB_URL: database.url,
        SUPABASE_SECRET_KEYS: JSON.stringify({
          default: 'sb_secret_default_0123456789',
          ci: 'sb_secret_ci_0123456789',
        }),
        SCHEDULER_SECRET_TOKEN: 'scheduler-token-0123456789',
        SCHEDULER_SECRET_HEADER: 'x-scheduler-token',
      }),
      scopes: { SCHEDULER_SECRET_TOKEN: ['quick-report'] },
    })
    const byKey = await post(handler, '/quick-report', { authorization: 'Bearer sb_secret_ci_0123456789' })
    expect(byKey.status).toBe(200)
    const byHeader = await post(handler, '/quick-report', {
      'x-scheduler-token': 'scheduler-token-0123456789',
    })
    expect(await byHeader.json()).toMatchObject({ ok: true, status: 'completed', result: { quick: true } })
    const wrong = await post(handler, '/quick-report', { 'x-scheduler-token': 'scheduler-token-wrong' })
    expect(wrong.status).toBe(401)
    const tick = await post(handler, '/quick-report/tick', {
      'x-scheduler-token': 'scheduler-token-0123456789',
    })
    expect(tick.status).toBe(403)
  })

  it('answers running at its deadline and hands the rest to EdgeRuntime.waitUntil, which sees it recorded', async () => {
    const handed: Promise<unknown>[] = []
    // Supabase's runtime global (https://supabase.com/docs/guides/functions/background-tasks); Node has none.
    Object.assign(globalThis, { EdgeRuntime: { waitUntil: (work: Promise<unknown>) => handed.push(work) } })
    try {
      const handler = serveJobs([slowJob], {
        env: envOf({ SUPABASE_DB_URL: database.url, CRON_SECRET: 'cron-secret-0123456789' }),
        deadlineMs: 50,
      })
      const response = await post(handler, '/slow-report', { authorization: 'Bearer cron-secret-0123456789' })
      const answer = (await response.json()) as { status: string; jobId: string }
      expect(response.status).toBe(202)
      expect(answer.status).toBe('running')
      expect(handed).toHaveLength(1)
      await handed[0]
      const jobs = createJobs({ db: database.url, jobs: [slowJob] })
      expect(await jobs.getJob(answer.jobId)).toMatchObject({ status: 'completed', result: { done: true } })
      await jobs.close()
    } finally {
      Reflect.deleteProperty(globalThis, 'EdgeRuntime')
    }
  })
})
