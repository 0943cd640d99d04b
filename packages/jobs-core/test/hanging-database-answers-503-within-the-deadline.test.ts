import { createHandler, createJobs, defineJob, type Jobs, type Logger } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Outcome, timedFetch } from '../../../chaos/support/timed-fetch.js'
import { type PrivatePostgres, startPrivatePostgres } from '../../../test-support/private-postgres.js'
import { serveFetchHandler } from './serve-fetch-handler.js'

// The database's own timeouts are far longer than the client waits: a handler that waited for them on
// a frozen database would leave the client without an answer. Only the handler's short deadline can
// answer it in time.
const deadlineMs = 500
const queryTimeoutMs = 600_000
const clientTimeoutMs = 30_000
expect(clientTimeoutMs).toBeLessThan(queryTimeoutMs)

const token = 'frozen-database-token-0123456789'
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
// A fixed clock: the trigger's slot is 2026-11-28T03:00Z whenever the test runs.
const now = () => new Date('2026-11-28T09:07:00Z')
const runs: string[] = []
const nightly = defineJob({
  name: 'nightly-invoice',
  schedule: '0 3 * * *',
  run: (_input, ctx) => {
    runs.push(String(ctx.slot?.toISOString()))
  },
})

const lines: string[] = []
const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
  lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
}
const logger: Logger = { debug: () => {}, info: record('info'), warn: record('warn'), error: record('error') }

let cluster: PrivatePostgres
let jobs: Jobs<readonly [typeof nightly]>
let server: Awaited<ReturnType<typeof serveFetchHandler>>

beforeAll(async () => {
  cluster = await startPrivatePostgres()
  const admin = new pg.Client({ connectionString: cluster.url() })
  await admin.connect()
  await admin.query('create database frozen')
  await admin.end()
  jobs = createJobs({
    db: cluster.url('frozen'),
    jobs: [nightly],
    logger,
    queryTimeoutMs,
    connectTimeoutMs: queryTimeoutMs,
  })
  await jobs.migrate()
  server = await serveFetchHandler(createHandler(jobs, { auth: { tokens: [token] }, deadlineMs, now }))
}, 60_000)

afterAll(async () => {
  cluster?.thaw()
  await server?.close()
  await jobs?.close()
  await cluster?.remove()
})

const calls = [
  { method: 'POST', route: 'nightly-invoice', body: '{}' },
  { method: 'POST', route: 'process-queue', body: '{"limit":5}' },
  { method: 'GET', route: 'health' },
  { method: 'GET', route: 'jobs?limit=5' },
] as const

function send(call: (typeof calls)[number]): Promise<Outcome> {
  return timedFetch(
    `${server.url}/${call.route}`,
    { method: call.method, headers, body: 'body' in call ? call.body : undefined },
    clientTimeoutMs,
  )
}

const lateLines = () => lines.filter((line) => / at its deadline (finished|failed) later/.test(line))

async function until(condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the condition did not come true')
}

it('answers 503 database_unavailable by its deadline while the database hangs, and works again after', async () => {
  // The pool holds an open connection to the database before it freezes.
  expect(await send(calls[2])).toMatchObject({ kind: 'answered', status: 200 })
  cluster.freeze()
  let outcomes: Outcome[]
  try {
    outcomes = await Promise.all(calls.map(send))
  } finally {
    cluster.thaw()
  }
  for (const [index, outcome] of outcomes.entries()) {
    const context = JSON.stringify({ route: calls[index]?.route, outcome })
    // Without the handler's bound this is `timeout`: the database's timeouts outlast the client's.
    expect(outcome.kind, context).toBe('answered')
    if (outcome.kind !== 'answered') continue
    expect(outcome.status, context).toBe(503)
    const body = JSON.parse(outcome.body)
    expect(body, context).toMatchObject({ ok: false, error: { code: 'database_unavailable' } })
    expect(body.error.message, context).toMatch(/did not answer within the handler's deadline/)
    expect(outcome.body, context).not.toContain(String(cluster.port))
  }
  expect(lines.filter((line) => line.startsWith('error') && /within the deadline/.test(line))).toHaveLength(
    calls.length,
  )

  // Thawed: what was in flight finishes (the trigger's enqueue commits after its 503), each request's
  // late outcome is logged, none is an unhandled rejection.
  await until(() => lateLines().length === calls.length)
  // A late trigger or drain that claimed the slot's job finishes it in the background first.
  await jobs.whenIdle()
  // The caller retries its 503, as the contract says: the slot's job is the same one, and runs once.
  const retried = await send(calls[0])
  expect(retried).toMatchObject({ kind: 'answered', status: 200 })
  if (retried.kind !== 'answered') return
  expect(JSON.parse(retried.body)).toMatchObject({
    ok: true,
    slot: '2026-11-28T03:00:00.000Z',
    status: expect.stringMatching(/^(completed|already-done)$/),
  })
  const rows = await jobs.listJobs({ names: ['nightly-invoice'] })
  expect(rows.jobs.map((job) => [job.status, job.attempts])).toEqual([['completed', 1]])
  expect(runs).toEqual(['2026-11-28T03:00:00.000Z'])
  for (const call of calls.slice(1)) {
    expect(await send(call), call.route).toMatchObject({ kind: 'answered', status: 200 })
  }
}, 90_000)
