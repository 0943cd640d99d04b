import { createHandler, defineJob, sign } from '@nightshift/jobs-core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const serviceKey = 'service-role-key-0001'
const previousServiceKey = 'service-role-key-0000'
const cronSecret = 'cron-secret-escalation'
const signingKey = 'signing-key-current-01'
const oldSigningKey = 'signing-key-previous-1'

const runs: string[] = []
const definitions = [
  defineJob({ name: 'run-escalation-orchestration', run: () => runs.push('escalation') }),
  defineJob({
    name: 'generate-t5-invoices',
    input: z.object({ day: z.string().optional() }),
    run: () => runs.push('t5'),
  }),
] as const

let served: ServedJobs<typeof definitions>
let jobs: ServedJobs<typeof definitions>['jobs']
let server: ServedJobs<typeof definitions>['server']
let admin: pg.Client
let base: string

async function rowCount(): Promise<number> {
  const { rows } = await admin.query('select count(*)::int as n from nightshift.jobs')
  return rows[0].n
}

async function post(path: string, headers: Record<string, string>, body = '{}') {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

beforeAll(async () => {
  served = await serveJobs('handler_auth', definitions, (jobs) =>
    createHandler(jobs, {
      basePath: '/functions/v1',
      queueRoute: 'notification-worker',
      header: 'x-scheduler-token',
      auth: {
        tokens: {
          [serviceKey]: '*',
          [previousServiceKey]: '*',
          [cronSecret]: ['run-escalation-orchestration'],
        },
        signingKeys: { [signingKey]: '*', [oldSigningKey]: ['notification-worker'] },
      },
    }),
  )
  ;({ jobs, admin, server } = served)
  base = `${server.url}/functions/v1`
})

afterAll(async () => {
  await served?.close()
})

describe('the handler refuses to be created without auth', () => {
  it('throws a clear error unless auth: none is said', () => {
    // @ts-expect-error auth is required
    expect(() => createHandler(jobs, {})).toThrow(/no auth configured.*auth: 'none'/)
    expect(() => createHandler(jobs, { auth: { tokens: [] } })).toThrow(/both empty/)
    expect(() => createHandler(jobs, { auth: { tokens: ['short'] } })).toThrow(/tokens entry 1/)
    expect(() => createHandler(jobs, { auth: 'none' })).not.toThrow()
  })

  it('never echoes a secret in its errors', () => {
    let message = ''
    try {
      createHandler(jobs, { auth: { tokens: { 'a-secret-that-is-long': 'nope' as never } } })
    } catch (error) {
      message = String(error)
    }
    expect(message).toMatch(/entry 1/)
    expect(message).not.toContain('a-secret-that-is-long')
  })
})

describe('bearer tokens', () => {
  it('rejects a missing token with 401 and writes nothing', async () => {
    const before = await rowCount()
    const response = await post('/run-escalation-orchestration', {})
    expect(response.status).toBe(401)
    expect(response.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    expect(await rowCount()).toBe(before)
  })

  it('rejects a wrong token with 401 without echoing it', async () => {
    const before = await rowCount()
    const response = await post('/run-escalation-orchestration', { authorization: 'Bearer wrong-token-123' })
    expect(response.status).toBe(401)
    expect(JSON.stringify(response.body)).not.toContain('wrong-token-123')
    expect(await rowCount()).toBe(before)
  })

  it('answers 403 for a right token on a job outside its scope, and writes nothing', async () => {
    const before = await rowCount()
    const response = await post('/generate-t5-invoices', { authorization: `Bearer ${cronSecret}` })
    expect(response.status).toBe(403)
    expect(response.body).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const queue = await post('/notification-worker', { authorization: `Bearer ${cronSecret}` })
    expect(queue.status).toBe(403)
    expect(await rowCount()).toBe(before)
  })

  it('accepts both tokens during a rotation, in Authorization or the custom header', async () => {
    const rotation: Record<string, string>[] = [
      { authorization: `Bearer ${serviceKey}` },
      { authorization: `Bearer ${previousServiceKey}` },
      { 'x-scheduler-token': serviceKey },
    ]
    for (const headers of rotation) {
      const response = await post('/notification-worker', headers, '{"limit":10}')
      expect(response.status).toBe(200)
      expect(response.body).toMatchObject({ ok: true, claimed: 0 })
    }
  })
})

describe('signed requests', () => {
  it('accepts a fresh signature from either key, within its scope', async () => {
    const body = '{"limit":5}'
    for (const key of [signingKey, oldSigningKey]) {
      const response = await post(
        '/notification-worker',
        { 'x-nightshift-signature': await sign({ method: 'POST', path: '/notification-worker', body }, key) },
        body,
      )
      expect(response.status).toBe(200)
    }
    const scoped = await post(
      '/generate-t5-invoices',
      {
        'x-nightshift-signature': await sign(
          { method: 'POST', path: '/generate-t5-invoices', body: '{}' },
          oldSigningKey,
        ),
      },
      '{}',
    )
    expect(scoped.status).toBe(403)
  })

  it('rejects an expired or replayed old signature, a tampered body and a wrong key', async () => {
    const before = await rowCount()
    const body = '{"limit":5}'
    const request = { method: 'POST', path: '/notification-worker', body }
    // Well outside the 300 s tolerance: a signature 1 s past it came within it again when the machine
    // took over a second between signing and the request (a full npm test on a busy machine did).
    const old = await sign(request, signingKey, { now: new Date(Date.now() - 600_000) })
    const future = await sign(request, signingKey, { now: new Date(Date.now() + 600_000) })
    const fresh = await sign(request, signingKey)
    const wrongKey = await sign(request, 'not-a-configured-key')
    for (const [signature, sent] of [
      [old, body],
      [future, body],
      [fresh, '{"limit":6}'],
      [wrongKey, body],
      ['t=abc,v2=00', body],
    ] as const) {
      const response = await post('/notification-worker', { 'x-nightshift-signature': signature }, sent)
      expect(response.status).toBe(401)
      expect(response.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    }
    expect(await rowCount()).toBe(before)
  })

  it('signs as documented: t=<unix>,v2=hex HMAC-SHA256 of "<t>\\n<METHOD>\\n<path>\\n<body>"', async () => {
    const { createHmac } = await import('node:crypto')
    const now = new Date('2026-11-28T12:00:00Z')
    const t = now.getTime() / 1000
    const expected = createHmac('sha256', signingKey).update(`${t}\nPOST\n/my-job\n{"a":1}`).digest('hex')
    expect(await sign({ method: 'post', path: '/my-job', body: '{"a":1}' }, signingKey, { now })).toBe(
      `t=${t},v2=${expected}`,
    )
  })
})

describe('other routes', () => {
  it('answers health without a token, counts only', async () => {
    const response = await fetch(`${base}/health`)
    expect(response.status).toBe(200)
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toMatchObject({ ok: true, stuck: 0, counts: { pending: expect.any(Number) } })
    expect(JSON.stringify(body)).not.toContain('payload')
  })

  it('requires a token for GET jobs/<id> and reports status, attempts, error and result', async () => {
    const { id } = await jobs.enqueue('run-escalation-orchestration', {})
    await jobs.process({ limit: 1 })
    expect((await fetch(`${base}/jobs/${id}`)).status).toBe(401)
    const forbidden = await fetch(`${base}/jobs/${id}`, {
      headers: { authorization: `Bearer ${cronSecret}` },
    })
    expect(forbidden.status).toBe(403)
    const response = await fetch(`${base}/jobs/${id}`, { headers: { authorization: `Bearer ${serviceKey}` } })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      ok: true,
      job: { id, name: 'run-escalation-orchestration', status: 'completed', attempts: 1, lastError: null },
    })
    const missing = await fetch(`${base}/jobs/999999`, { headers: { authorization: `Bearer ${serviceKey}` } })
    expect(missing.status).toBe(404)
  })

  it('serves the same routes when the host strips the base path', async () => {
    const response = await fetch(`${server.url}/notification-worker`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' },
      body: '{"limit":1}',
    })
    expect(response.status).toBe(200)
    expect((await fetch(`${server.url}/functions/v2/notification-worker`, { method: 'POST' })).status).toBe(
      404,
    )
  })

  it('answers 405 with Allow, 404, 413 and 415 as JSON with ok: false', async () => {
    const auth = { authorization: `Bearer ${serviceKey}` }
    const get = await fetch(`${base}/notification-worker`, { headers: auth })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect((await fetch(`${base}/a/b/c`, { headers: auth })).status).toBe(404)
    const unknown = await post('/no-such-job', auth)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'unknown_job' } })
    const large = await post(
      '/notification-worker',
      auth,
      JSON.stringify({ limit: 1, pad: 'x'.repeat(1024 * 1024) }),
    )
    expect(large.status).toBe(413)
    const form = await fetch(`${base}/notification-worker`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'limit=10',
    })
    expect(form.status).toBe(415)
    expect(await form.json()).toMatchObject({ ok: false, error: { code: 'unsupported_media_type' } })
    const badLimit = await post('/notification-worker', auth, '{"limit":0}')
    expect(badLimit.status).toBe(400)
    expect(badLimit.body).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['limit'] }] },
    })
  })
})
