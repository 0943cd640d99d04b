import { createHandler, defineJob, sign } from '@nightshift/jobs-core'
import fc from 'fast-check'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const token = 'fuzz-token-all-scope'
const scopedToken = 'fuzz-token-echo-only'
const signingKey = 'fuzz-signing-key-01'

const definitions = [
  defineJob({
    name: 'fuzz-echo',
    input: z.object({ n: z.number().int().min(0).max(5) }).strict(),
    run: ({ n }) => ({ n }),
  }),
  defineJob({ name: 'fuzz-other', run: () => 'other' }),
] as const

let served: ServedJobs<typeof definitions>
let server: ServedJobs<typeof definitions>['server']
let admin: pg.Client

async function rowCount(): Promise<number> {
  const { rows } = await admin.query('select count(*)::int as n from nightshift.jobs')
  return rows[0].n
}

beforeAll(async () => {
  served = await serveJobs('handler_fuzz', definitions, (jobs) =>
    createHandler(jobs, {
      basePath: '/functions/v1',
      maxBodyBytes: 2048,
      waitMs: 5_000,
      deadlineMs: 5_000,
      auth: { tokens: { [token]: '*', [scopedToken]: ['fuzz-echo'] }, signingKeys: [signingKey] },
    }),
  )
  ;({ admin, server } = served)
})

afterAll(async () => {
  await served?.close()
})

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`))
const segment = fc.oneof(
  fc.constantFrom(
    'fuzz-echo',
    'fuzz-other',
    'tick',
    'health',
    'jobs',
    'process-queue',
    'dashboard',
    '1',
    '%zz',
    '..',
  ),
  fc.stringMatching(/^[A-Za-z0-9%._~-]{0,12}$/),
)
const weighted = <T>(likely: fc.Arbitrary<T>, weight: number, other: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: likely, weight }, { arbitrary: other, weight: 1 })
const path = weighted(
  fc
    .constantFrom('fuzz-echo', 'fuzz-other', 'tick', 'health', 'process-queue', 'jobs/1')
    .map((route) => `/functions/v1/${route}`),
  3,
  fc
    .tuple(
      fc.constantFrom('/functions/v1', '', '/functions', '/other/v1'),
      fc.array(segment, { maxLength: 4 }),
    )
    .map(([prefix, parts]) => `${prefix}/${parts.join('/')}`),
)
const body = fc.oneof(
  fc.constant(''),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      { n: fc.oneof(fc.integer({ min: -2, max: 8 }), fc.string()), force: fc.anything() },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.record({ n: fc.integer({ min: 0, max: 5 }), force: fc.boolean() }).map((value) => JSON.stringify(value)),
  fc
    .record({ limit: fc.oneof(fc.integer({ min: -1, max: 1001 }), fc.anything()) }, { requiredKeys: [] })
    .map((value) => JSON.stringify(value)),
  printable(40),
  fc.constant('x'.repeat(3000)),
)
const authorization = weighted(
  fc.constant(`Bearer ${token}`),
  4,
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(`Bearer ${scopedToken}`, 'Bearer wrong', `bearer ${token}`, token, 'Basic abc'),
    printable(60),
  ),
)
const contentType = weighted(
  fc.constant('application/json'),
  4,
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/vnd.api+json',
    ),
    printable(40),
  ),
)
const signature = weighted(
  fc.constant(undefined),
  6,
  fc.oneof(fc.constant('fresh'), fc.constant('old'), printable(80)),
)
const method = weighted(fc.constant('POST'), 3, fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'))

describe('fuzzed requests', () => {
  it('never get a 500, always get JSON with ok, and write no row when rejected', async () => {
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        body,
        authorization,
        contentType,
        signature,
        async (method, url, sent, auth, type, signed) => {
          const headers: Record<string, string> = {}
          if (auth !== undefined) headers.authorization = auth
          if (type !== undefined) headers['content-type'] = type
          // Signed for the route the URL names under the base path, as a caller would sign it (the URL read
          // as fetch below sends it: a path such as `//%zz` is a path here, not a host).
          const route = `/${new URL(`${server.url}${url}`).pathname
            .replace(/^\/functions\/v1(?=\/|$)/, '')
            .split('/')
            .filter(Boolean)
            .join('/')}`
          const request = { method, path: route, body: method === 'GET' ? '' : sent }
          if (signed === 'fresh') headers['x-nightshift-signature'] = await sign(request, signingKey)
          else if (signed === 'old')
            headers['x-nightshift-signature'] = await sign(request, signingKey, {
              now: new Date(Date.now() - 600_000),
            })
          else if (signed !== undefined) headers['x-nightshift-signature'] = signed
          const before = await rowCount()
          const response = await fetch(`${server.url}${url}`, {
            method,
            headers,
            body: method === 'GET' ? undefined : sent,
          })
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
          expect(response.status).not.toBe(500)
          if (response.headers.get('content-type') === 'text/html; charset=utf-8') {
            // Only the dashboard's routes (`GET <base>/`, `<base>/dashboard/…`) answer HTML pages.
            const parts = new URL(response.url).pathname.split('/').filter(Boolean).map(decodeURIComponent)
            const route = parts[0] === 'functions' && parts[1] === 'v1' ? parts.slice(2) : parts
            expect(route.length === 0 || route[0] === 'dashboard', response.url).toBe(true)
            if (response.status >= 400) expect(await rowCount()).toBe(before)
            return
          }
          const answer = (await response.json()) as { ok: unknown }
          expect(typeof answer.ok).toBe('boolean')
          expect(answer.ok).toBe(response.status < 400)
          if (response.status >= 400) expect(await rowCount()).toBe(before)
        },
      ),
      { numRuns: 300 },
    )
    // The fuzz reached past every check and into the jobs, not only the first rejection.
    for (const status of [200, 400, 401, 404, 405]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0)
  })
})
