import { sign } from '@nightshift/jobs-core'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.js'
import { migrateContractDatabase } from './support/contract-database.js'
import { type FuzzedRequest, fuzzedRequest } from './support/fuzzed-request.js'
import { byScale, chaosScale } from './support/scale.js'
import { secretsIn } from './support/secret-scan.js'
import { type HostName, hostSecrets, type ServedHost, startHost } from './support/served-hosts.js'
import { timedFetch } from './support/timed-fetch.js'

const requestsPerHost = byScale(300, 10_000)
// Well above the hosts' deadline (20 s): a request the client gives up on means the host hung.
const clientTimeoutMs = 60_000

const arbitrary = fuzzedRequest({
  allToken: hostSecrets.SUPABASE_SERVICE_ROLE_KEY,
  scopedToken: hostSecrets.CRON_SECRET,
})

interface Fuzzed {
  host: ServedHost
  db: TestDatabase
  admin: pg.Client
  /** The rows of every table a request could write: nightshift's and the job-effect table. */
  tables: string[]
}
const fuzzed = new Map<HostName, Fuzzed>()

beforeAll(async () => {
  for (const name of ['core', 'express', 'deno'] as const) {
    const db = await createTestDatabase(`chaos_fuzz_${name}`)
    await migrateContractDatabase(db.url)
    const admin = new pg.Client({ connectionString: db.url })
    await admin.connect()
    const { rows } = await admin.query<{ name: string }>(
      `select format('%I.%I', schemaname, tablename) as name from pg_tables
        where schemaname = 'nightshift' or (schemaname = 'public' and tablename = 'effects') order by 1`,
    )
    fuzzed.set(name, { host: await startHost(name, db.url), db, admin, tables: rows.map((row) => row.name) })
  }
}, 120_000)

afterAll(async () => {
  for (const { host, admin, db } of fuzzed.values()) {
    await host.close()
    await admin.end()
    await db.drop()
  }
})

/** Rows in every table, one number per table, read in one statement. */
async function rowCounts({ admin, tables }: Fuzzed): Promise<number[]> {
  const { rows } = await admin.query<{ counts: number[] }>(
    `select array[${tables.map((table) => `(select count(*)::int from ${table})`).join(', ')}] as counts`,
  )
  return rows[0]?.counts ?? []
}

/** The URL of a fuzzed request on `host`, and the path a signature covers there. */
function address(host: ServedHost, request: FuzzedRequest): { url: string; signedPath: string } {
  const origin = new URL(host.base).origin
  const url = request.path.startsWith('/') ? `${origin}${request.path}` : `${host.base}/${request.path}`
  // As fetch sends it (dot segments resolved), after the host's base, no empty segment.
  let pathname = new URL(url).pathname
  if (pathname === host.basePath || pathname.startsWith(`${host.basePath}/`))
    pathname = pathname.slice(host.basePath.length)
  return { url, signedPath: `/${pathname.split('/').filter(Boolean).join('/')}` }
}

async function signatureFor(request: FuzzedRequest, signedPath: string): Promise<string | undefined> {
  if (request.signature === undefined) return undefined
  const key = hostSecrets.NIGHTSHIFT_SIGNING_KEY
  const signed = { method: request.method, path: signedPath, body: request.body }
  if (request.signature === 'fresh') return sign(signed, key)
  if (request.signature === 'stale') return sign(signed, key, { now: new Date(Date.now() - 600_000) })
  return sign({ ...signed, body: '{"other":true}' }, key)
}

describe.each(['core', 'express', 'deno'] as const)('%s host', (name) => {
  it(
    `answers ${requestsPerHost} fuzzed requests with no 500, no hang, and no row written by a rejected one (${chaosScale})`,
    async () => {
      const target = fuzzed.get(name) as Fuzzed
      const { host } = target
      const statuses = new Map<number, number>()
      const tally = {
        requests: 0,
        timeouts: 0,
        networkErrors: 0,
        with500: 0,
        rejected: 0,
        rejectedThatWrote: 0,
      }
      const networkErrors = new Map<string, number>()
      await fc.assert(
        fc.asyncProperty(arbitrary, async (request) => {
          const { url, signedPath } = address(host, request)
          const headers = { ...request.headers }
          const signature = await signatureFor(request, signedPath)
          if (signature !== undefined) headers['x-nightshift-signature'] = signature
          const before = await rowCounts(target)
          const bodiless = request.method === 'GET' || request.method === 'HEAD'
          const outcome = await timedFetch(
            url,
            { method: request.method, headers, body: bodiless ? undefined : request.body },
            clientTimeoutMs,
          )
          tally.requests++
          const context = JSON.stringify({
            host: name,
            method: request.method,
            url: url.slice(0, 300),
            outcome,
          })
          if (outcome.kind === 'timeout') tally.timeouts++
          if (outcome.kind === 'network-error') {
            tally.networkErrors++
            networkErrors.set(outcome.message, (networkErrors.get(outcome.message) ?? 0) + 1)
          }
          expect(outcome.kind, context).toBe('answered')
          if (outcome.kind !== 'answered') return
          statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1)
          if (outcome.status === 500) tally.with500++
          expect(outcome.status, context).not.toBe(500)
          // Only the contract's own 5xx: 502 job_failed (contract-fail ran), 503 health with stuck jobs.
          if (outcome.status >= 500) expect([502, 503], context).toContain(outcome.status)
          expect(secretsIn(outcome.body, hostSecrets), context).toEqual([])
          if (outcome.status >= 400 && outcome.status < 500) {
            tally.rejected++
            const after = await rowCounts(target)
            if (after.join() !== before.join()) tally.rejectedThatWrote++
            expect(after, context).toEqual(before)
          }
        }),
        { numRuns: requestsPerHost },
      )
      console.log(
        `${name} host, ${requestsPerHost} fuzzed requests (${chaosScale}):`,
        JSON.stringify({
          ...tally,
          statuses: Object.fromEntries(statuses),
          networkErrors: Object.fromEntries(networkErrors),
        }),
      )
      // The fuzz got past every check and into the jobs, not only the first rejection.
      for (const status of [200, 400, 401, 403, 404, 405, 413, 415]) {
        expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0)
      }
      expect(secretsIn(host.output(), hostSecrets)).toEqual([])
    },
    byScale(120_000, 1_800_000),
  )
})
