import { createHandler, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const token = 'a-token-long-enough-to-pass'
const definitions = [defineJob({ name: 'bill-customer', run: () => 'billed' })] as const

let served: ServedJobs<typeof definitions>
let base: string
beforeAll(async () => {
  served = await serveJobs('bearer_before_body', definitions, (jobs) =>
    createHandler(jobs, { auth: { tokens: [token] }, maxBodyBytes: 1024 }),
  )
  base = served.server.url
})
afterAll(() => served?.close())

// A body over the limit: reading it first answers 413; deciding the token first answers 401 or 403.
const oversized = JSON.stringify({ padding: 'x'.repeat(64 * 1024) })

test('a request without a token is refused 401 before its body is read', async () => {
  const response = await fetch(`${base}/bill-customer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: oversized,
  })
  expect(response.status).toBe(401)
  expect(await response.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
})

test('a wrong token is refused 401 before its body is read; a right one reaches the body limit', async () => {
  const wrong = await fetch(`${base}/bill-customer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-token-at-all' },
    body: oversized,
  })
  expect(wrong.status).toBe(401)
  const right = await fetch(`${base}/bill-customer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: oversized,
  })
  expect(right.status).toBe(413)
  const { rows } = await served.admin.query('select count(*)::int as n from nightshift.jobs')
  expect(rows[0]?.n).toBe(0)
})
