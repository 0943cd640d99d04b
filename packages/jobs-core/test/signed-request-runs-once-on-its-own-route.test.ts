import { createHmac } from 'node:crypto'
import { createHandler, createJobs, defineJob, type Handler } from '@nightshift/jobs-core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { serveFetchHandler } from './serve-fetch-handler.js'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const signingKey = 'signing-key-replay-01'
const runs: string[] = []
const definitions = [
  defineJob({ name: 'monthly-invoices', schedule: '0 6 1 * *', run: () => runs.push('monthly-invoices') }),
  defineJob({ name: 'delete-account', run: () => runs.push('delete-account') }),
  defineJob({ name: 'send-receipt', run: () => runs.push('send-receipt') }),
  defineJob({
    name: 'refund',
    input: z.object({ amount: z.number() }).strict(),
    run: () => runs.push('refund'),
  }),
] as const

const options = { basePath: '/functions/v1', waitMs: 10_000, auth: { signingKeys: [signingKey] } }
let served: ServedJobs<typeof definitions>
let admin: pg.Client
// A second instance of the app on the same database: its own createJobs, handler and port.
let second: {
  jobs: ReturnType<typeof createJobs<typeof definitions>>
  server: Awaited<ReturnType<typeof serveFetchHandler>>
}
// The same handler as a host that routes on a prefix and passes the full URL (Express's mountPath).
let mounted: Awaited<ReturnType<typeof serveFetchHandler>>

let signed = 0
/**
 * The documented scheme, by hand: t=<unix>,v2=hex HMAC-SHA256(key, "<t>\n<METHOD>\n<path>\n<body>").
 * Each call signs a second earlier than the last, so no two requests of this file share a signature
 * unless a test reuses one on purpose.
 */
function signByHand(method: string, path: string, body: string) {
  const seconds = Math.floor(Date.now() / 1000) - signed++
  const hex = createHmac('sha256', signingKey).update(`${seconds}\n${method}\n${path}\n${body}`).digest('hex')
  return `t=${seconds},v2=${hex}`
}

async function post(base: string, route: string, signature: string, body: string) {
  const response = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-nightshift-signature': signature },
    body,
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function jobRows(name: string): Promise<number> {
  const { rows } = await admin.query('select count(*)::int as n from nightshift.jobs where type = $1', [name])
  return rows[0].n
}

beforeAll(async () => {
  served = await serveJobs('signed_replay', definitions, (jobs) => createHandler(jobs, options))
  admin = served.admin
  const secondJobs = createJobs({ db: served.db.url, jobs: definitions })
  second = { jobs: secondJobs, server: await serveFetchHandler(createHandler(secondJobs, options)) }
  const handler: Handler = createHandler(served.jobs, { ...options, basePath: undefined })
  mounted = await serveFetchHandler((request) => handler(request, { mountPath: '/api/jobs' }))
})

afterAll(async () => {
  await mounted?.close()
  await second?.server.close()
  await second?.jobs.close()
  await served?.close()
})

describe('a v2 signature covers method, path and body', () => {
  it('is accepted computed by hand with node:crypto, for the route relative to the base path', async () => {
    const body = '{"force":true}'
    const answer = await post(
      `${served.server.url}/functions/v1`,
      '/monthly-invoices',
      signByHand('POST', '/monthly-invoices', body),
      body,
    )
    expect(answer).toMatchObject({ status: 200, body: { ok: true, status: 'completed', forced: true } })
    // The same route path verifies behind a host that mounted the handler elsewhere.
    const unscheduled = await post(
      `${mounted.url}/api/jobs`,
      '/send-receipt',
      signByHand('POST', '/send-receipt', '{}'),
      '{}',
    )
    expect(unscheduled).toMatchObject({ status: 200, body: { ok: true, status: 'completed' } })
  })

  it('refuses a captured forced request replayed to another job or route, and runs nothing', async () => {
    runs.length = 0
    const body = '{"force":true}'
    const captured = signByHand('POST', '/monthly-invoices', body)
    expect(
      (await post(`${served.server.url}/functions/v1`, '/monthly-invoices', captured, body)).status,
    ).toBe(200)
    const before = await jobRows('delete-account')
    for (const route of ['/delete-account', '/send-receipt', '/tick', '/process-queue']) {
      const answer = await post(`${served.server.url}/functions/v1`, route, captured, body)
      expect(answer.status, route).toBe(401)
      expect(answer.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    }
    expect(await jobRows('delete-account')).toBe(before)
    expect(runs).toEqual(['monthly-invoices'])
  })

  it('refuses a signature for another method or body, and the old body-only v1 form', async () => {
    const body = '{"force":true}'
    const forGet = signByHand('GET', '/monthly-invoices', body)
    expect((await post(`${served.server.url}/functions/v1`, '/monthly-invoices', forGet, body)).status).toBe(
      401,
    )
    const otherBody = signByHand('POST', '/monthly-invoices', '{"force":false}')
    expect(
      (await post(`${served.server.url}/functions/v1`, '/monthly-invoices', otherBody, body)).status,
    ).toBe(401)
    const t = Math.floor(Date.now() / 1000) - signed++
    const v1 = `t=${t},v1=${createHmac('sha256', signingKey).update(`${t}.${body}`).digest('hex')}`
    const answer = await post(`${served.server.url}/functions/v1`, '/monthly-invoices', v1, body)
    expect(answer.status).toBe(401)
    expect(JSON.stringify(answer.body)).toContain('v2')
  })
})

describe('a signed request that makes a new run is accepted once', () => {
  it('refuses a forced request sent again, on the same instance and on another one', async () => {
    runs.length = 0
    const body = '{"force_invoke":true}'
    const signature = signByHand('POST', '/monthly-invoices', body)
    const first = await post(`${served.server.url}/functions/v1`, '/monthly-invoices', signature, body)
    expect(first).toMatchObject({ status: 200, body: { ok: true, forced: true } })
    const again = await Promise.all([
      post(`${served.server.url}/functions/v1`, '/monthly-invoices', signature, body),
      post(`${second.server.url}/functions/v1`, '/monthly-invoices', signature, body),
      post(`${second.server.url}/functions/v1`, '/monthly-invoices', signature, body),
    ])
    for (const answer of again) {
      expect(answer.status).toBe(401)
      expect(answer.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    }
    expect(runs).toEqual(['monthly-invoices'])
  })

  it('spends no signature on a request refused for its input: nothing is written', async () => {
    const count = async () =>
      (await admin.query('select count(*)::int as n from nightshift.used_signatures')).rows[0].n as number
    const before = await count()
    const body = '{"amount":"ten"}'
    const answer = await post(
      served.server.url,
      '/functions/v1/refund',
      signByHand('POST', '/refund', body),
      body,
    )
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await count()).toBe(before)
    expect(await jobRows('refund')).toBe(0)
  })

  it('refuses a replayed trigger of a job without a schedule (each trigger is a new run)', async () => {
    runs.length = 0
    const signature = signByHand('POST', '/delete-account', '{}')
    expect((await post(`${served.server.url}/functions/v1`, '/delete-account', signature, '{}')).status).toBe(
      200,
    )
    expect((await post(`${second.server.url}/functions/v1`, '/delete-account', signature, '{}')).status).toBe(
      401,
    )
    expect(runs).toEqual(['delete-account'])
  })

  it('lets an unforced slot trigger through again: its slot runs once whatever comes', async () => {
    runs.length = 0
    const signature = signByHand('POST', '/monthly-invoices', '{}')
    const answers = [
      await post(`${served.server.url}/functions/v1`, '/monthly-invoices', signature, '{}'),
      await post(`${second.server.url}/functions/v1`, '/monthly-invoices', signature, '{}'),
    ]
    expect(answers.map((answer) => answer.status)).toEqual([200, 200])
    expect(answers[1]?.body).toMatchObject({ status: 'already-done' })
    expect(runs).toEqual(['monthly-invoices'])
  })
})
