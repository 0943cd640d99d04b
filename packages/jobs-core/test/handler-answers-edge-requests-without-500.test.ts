import { createHandler, defineJob } from '@nightshift/jobs-core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const token = 'edge-token-all-scope'
const errors: string[] = []
const definitions = [
  // Takes any object, so only the handler's own checks stand between a body and the jobs table.
  defineJob({ name: 'edge-echo', input: z.record(z.string(), z.unknown()), run: (input) => input }),
] as const

let served: ServedJobs<typeof definitions>
let admin: pg.Client
let base: string
const auth = { authorization: `Bearer ${token}` }

async function rowCount(): Promise<number> {
  const { rows } = await admin.query('select count(*)::int as n from nightshift.jobs')
  return rows[0].n
}

async function post(path: string, body: string) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body,
  })
  return {
    status: response.status,
    body: (await response.json()) as { ok: boolean; error?: { code: string } },
  }
}

beforeAll(async () => {
  served = await serveJobs(
    'handler_edges',
    definitions,
    (jobs) => createHandler(jobs, { basePath: '/functions/v1', waitMs: 5_000, auth: { tokens: [token] } }),
    { logger: { debug() {}, info() {}, warn() {}, error: (message) => errors.push(message) } },
  )
  admin = served.admin
  base = `${served.server.url}/functions/v1`
})

afterAll(() => served?.close())

describe('job ids', () => {
  it('answers 404 for an id past bigint, and for the largest bigint that has no row', async () => {
    for (const id of [
      '9223372036854775808',
      '9999999999999999999',
      '9223372036854775807',
      '00000000000000000001',
    ]) {
      const response = await fetch(`${base}/jobs/${id}`, { headers: auth })
      expect(response.status, id).toBe(404)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found')
    }
    expect(errors).toEqual([])
  })
})

describe('JSON that PostgreSQL cannot store, or that is nested too deep', () => {
  const refused: [string, string][] = [
    ['a NUL in a value', '{"text":"a\\u0000b"}'],
    ['a NUL in a key', '{"a\\u0000":1}'],
    ['an unpaired high surrogate', '{"text":"\\ud800"}'],
    ['an unpaired low surrogate', '{"text":"x\\udc00y"}'],
    ['a high surrogate followed by another high one', '{"list":["\\ud83d\\ud83d"]}'],
    ['5,000 nested arrays', `{"deep":${'['.repeat(5_000)}${']'.repeat(5_000)}}`],
    ['5,000 nested objects', `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`],
  ]
  for (const [what, body] of refused) {
    it(`refuses ${what} as 400 invalid_input and writes no row`, async () => {
      const answer = await post('/edge-echo', body)
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
      expect(await rowCount()).toBe(0)
      // The queue route parses the same way.
      expect((await post('/process-queue', body)).status).toBe(400)
    })
  }

  it('still accepts a paired surrogate (an emoji), an escaped backslash before u0000, and 50 levels', async () => {
    const body = `{"emoji":"\\ud83d\\ude00","text":"\\\\u0000","deep":${'['.repeat(50)}${']'.repeat(50)}}`
    const answer = await post('/edge-echo', body)
    expect(answer.status).toBe(200)
    const { rows } = await admin.query(
      `select payload->>'emoji' as emoji, payload->>'text' as text from nightshift.jobs`,
    )
    expect(rows).toEqual([{ emoji: '😀', text: '\\u0000' }])
    expect(errors).toEqual([])
  })
})

describe('HEAD', () => {
  it('works wherever GET does, without a body', async () => {
    const head = await fetch(`${base}/health`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await head.text()).toBe('')
    const { rows } = await admin.query('select min(id)::text as id from nightshift.jobs')
    const job = await fetch(`${base}/jobs/${rows[0].id}`, { method: 'HEAD', headers: auth })
    expect(job.status).toBe(200)
    expect(await job.text()).toBe('')
    const unauthenticated = await fetch(`${base}/jobs/${rows[0].id}`, { method: 'HEAD' })
    expect(unauthenticated.status).toBe(401)
    const dashboard = await fetch(`${base}/dashboard`, { method: 'HEAD', headers: auth })
    expect(dashboard.status).toBe(200)
    expect(dashboard.headers.get('content-type')).toMatch(/^text\/html/)
  })

  it('is listed in Allow next to GET, and is 405 where only POST is', async () => {
    const wrong = await fetch(`${base}/health`, { method: 'DELETE' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST')
    const onlyPost = await fetch(`${base}/tick`, { method: 'HEAD', headers: auth })
    expect(onlyPost.status).toBe(405)
    expect(onlyPost.headers.get('allow')).toBe('POST')
  })
})
