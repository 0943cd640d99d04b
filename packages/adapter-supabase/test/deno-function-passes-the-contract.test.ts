import { runContractSuite } from '@nightshift/jobs-core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { secrets, startContractFunction } from './function-environment.js'

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let app: Awaited<ReturnType<typeof startContractFunction>>

beforeAll(async () => {
  if (missing) return
  app = await startContractFunction('supabase_contract')
}, 120_000)
afterAll(async () => {
  await app?.close()
})

async function post(path: string, headers: Record<string, string>, body: string) {
  const response = await fetch(`${app.gateway.url}/functions/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

describe.skipIf(missing)('a Deno-served Edge Function behind PgBouncer (transaction mode)', () => {
  it('passes the HTTP contract with every job under /<function>/<job>', async () => {
    const results = await runContractSuite({
      baseUrl: `${app.gateway.url}/functions/v1/nightshift`,
      tokens: { all: secrets.SUPABASE_SERVICE_ROLE_KEY, echoOnly: secrets.CRON_SECRET },
      signingKey: secrets.NIGHTSHIFT_SIGNING_KEY,
    })
    expect(results.every((check) => check.ok)).toBe(true)
    expect(results.length).toBeGreaterThanOrEqual(16)
  })

  it('runs the job a function is named after at /<function> alone, and drains the queue at the queue route', async () => {
    const bearer = { authorization: `Bearer ${secrets.SUPABASE_SERVICE_ROLE_KEY}` }
    const echo = await post('/contract-echo', bearer, '{"message":"one function per job"}')
    expect(echo).toMatchObject({ status: 200, json: { ok: true, status: 'completed' } })
    expect(echo.json.result).toEqual({ echo: 'one function per job' })
    const drained = await post('/process-queue', bearer, '{"limit":10}')
    expect(drained.status).toBe(200)
    expect(drained.json).toMatchObject({ ok: true, running: 0 })
    expect(typeof drained.json.claimed).toBe('number')
  })

  it('answers bad input, wrong tokens and wrong scopes with the contract’s 4xx, echoing no secret', async () => {
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
    const wrong = await post('/contract-echo', bearer('not-the-service-role-key'), '{}')
    expect(wrong).toMatchObject({ status: 401, json: { ok: false, error: { code: 'unauthorized' } } })
    expect(JSON.stringify(wrong.json)).not.toContain('not-the-service-role-key')
    const none = await post('/contract-echo', {}, '{}')
    expect(none.status).toBe(401)
    const scoped = await post('/slow-job', bearer(secrets.CRON_SECRET), '{}')
    expect(scoped).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } })
    const invalid = await post('/contract-echo', bearer(secrets.SUPABASE_SERVICE_ROLE_KEY), '{"message":7}')
    expect(invalid).toMatchObject({ status: 400, json: { ok: false, error: { code: 'invalid_input' } } })
    const broken = await post('/contract-echo', bearer(secrets.SUPABASE_SERVICE_ROLE_KEY), '{"message":')
    expect(broken.status).toBe(400)
    const limit = await post('/process-queue', bearer(secrets.SUPABASE_SERVICE_ROLE_KEY), '{"limit":"ten"}')
    expect(limit.status).toBe(400)
    const unknown = await post('/nightshift/no-such-job', bearer(secrets.SUPABASE_SERVICE_ROLE_KEY), '{}')
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: 'unknown_job' } } })
    expect(app.fn.output()).not.toContain(secrets.SUPABASE_SERVICE_ROLE_KEY)
  })
})
