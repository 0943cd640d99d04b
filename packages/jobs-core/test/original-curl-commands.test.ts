import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createHandler, defineJob } from '@nightshift/jobs-core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type Exchange, serveFetchHandler } from './serve-fetch-handler.js'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const run = promisify(execFile)

// The booking app's six original commands (examples/booking/fixtures/original-scheduled-jobs.md), byte for
// byte; only the variables are ours.
const originalCommands = {
  'generate-t5-invoices': `curl -X POST "\${SUPABASE_URL}/functions/v1/generate-t5-invoices" \\
    -H "Authorization: Bearer \${SUPABASE_SERVICE_ROLE_KEY}" \\
    -H "Content-Type: application/json" \\
    -d '{}'`,
  'run-escalation-orchestration': `curl -X POST "\${SUPABASE_URL}/functions/v1/run-escalation-orchestration" \\
    -H "Authorization: Bearer \${CRON_SECRET}" \\
    -H "Content-Type: application/json" \\
    -d '{"force":false}'`,
  'some-scheduler-endpoint': `curl -X POST "\${EDGE_FUNCTION_URL}/some-scheduler-endpoint" \\
    -H "Authorization: Bearer \${SCHEDULER_SECRET_TOKEN}" \\
    -H "Content-Type: application/json" \\
    -d '{"force_invoke":true}'`,
  'generate-monthly-invoices': `curl -X POST "\${SUPABASE_URL}/functions/v1/generate-monthly-invoices" \\
    -H "Authorization: Bearer \${SUPABASE_SERVICE_ROLE_KEY}" \\
    -H "Content-Type: application/json" \\
    -d '{}'`,
  'escalate-overdue-bookings': `curl -X POST "\${SUPABASE_URL}/functions/v1/escalate-overdue-bookings" \\
    -H "Authorization: Bearer \${SUPABASE_SERVICE_ROLE_KEY}" \\
    -H "Content-Type: application/json" \\
    -d '{}'`,
  'notification-worker': `curl -X POST "\${SUPABASE_URL}/functions/v1/notification-worker" \\
    -H "Authorization: Bearer \${SUPABASE_SERVICE_ROLE_KEY}" \\
    -H "Content-Type: application/json" \\
    -d '{"limit":10}'`,
}

const secrets = {
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-for-tests',
  CRON_SECRET: 'cron-secret-for-tests',
  SCHEDULER_SECRET_TOKEN: 'scheduler-token-for-tests',
}

const work: string[] = []
const worked = (name: string) => work.filter((entry) => entry === name).length
const scheduled = (name: string, schedule: string) =>
  defineJob({ name, schedule, run: () => work.push(name) })
const definitions = [
  scheduled('generate-t5-invoices', '0 1 * * *'),
  scheduled('run-escalation-orchestration', '0 2 * * *'),
  scheduled('some-scheduler-endpoint', '*/5 * * * *'),
  scheduled('generate-monthly-invoices', '0 2 * * *'),
  scheduled('escalate-overdue-bookings', '0 6 * * *'),
  defineJob({
    name: 'send-notification',
    input: z.object({ to: z.string() }),
    run: ({ to }) => work.push(`notify:${to}`),
  }),
] as const

// A fixed clock: every trigger in this file falls in the same slot of every schedule.
const now = new Date('2026-11-28T09:07:00Z')
let served: ServedJobs<typeof definitions>
let jobs: ServedJobs<typeof definitions>['jobs']
let server: ServedJobs<typeof definitions>['server']
let admin: pg.Client
const exchanges: Exchange[] = []

async function curl(
  name: keyof typeof originalCommands,
): Promise<{ body: Record<string, unknown>; exchange: Exchange }> {
  const before = exchanges.length
  const { stdout } = await run('bash', ['-c', originalCommands[name]], {
    env: {
      PATH: process.env.PATH,
      SUPABASE_URL: server.url,
      EDGE_FUNCTION_URL: `${server.url}/functions/v1`,
      ...secrets,
    },
  })
  expect(exchanges.length).toBe(before + 1)
  return { body: JSON.parse(stdout), exchange: exchanges[before] as Exchange }
}

async function rows(type: string): Promise<number> {
  const { rows } = await admin.query('select count(*)::int as n from nightshift.jobs where type = $1', [type])
  return rows[0].n
}

beforeAll(async () => {
  served = await serveJobs(
    'original_curl',
    definitions,
    (jobs) =>
      createHandler(jobs, {
        basePath: '/functions/v1',
        queueRoute: 'notification-worker',
        now: () => now,
        auth: {
          tokens: {
            [secrets.SUPABASE_SERVICE_ROLE_KEY]: '*',
            // Least privilege, as the original setup recommends: each cron secret reaches its own job only.
            [secrets.CRON_SECRET]: ['run-escalation-orchestration'],
            [secrets.SCHEDULER_SECRET_TOKEN]: ['some-scheduler-endpoint'],
          },
        },
      }),
    { onExchange: (exchange) => exchanges.push(exchange) },
  )
  ;({ jobs, admin, server } = served)
})

afterAll(async () => {
  await served?.close()
})

describe("the booking app's original curl commands, unchanged", () => {
  for (const name of [
    'generate-t5-invoices',
    'run-escalation-orchestration',
    'generate-monthly-invoices',
    'escalate-overdue-bookings',
  ] as const) {
    it(`${name}: 200 ok, runs once; repeated, runs nothing`, async () => {
      const first = await curl(name)
      expect(first.exchange.status).toBe(200)
      expect(first.exchange.headers.get('content-type')).toBe('application/json')
      expect(first.exchange.headers.get('authorization')).toMatch(/^Bearer /)
      expect(first.body).toMatchObject({ ok: true, status: 'completed', forced: false })
      expect(worked(name)).toBe(1)
      const second = await curl(name)
      expect(second.exchange.status).toBe(200)
      expect(second.body).toMatchObject({ ok: true, status: 'already-done', jobId: first.body.jobId })
      expect(worked(name)).toBe(1)
      expect(await rows(name)).toBe(1)
    })
  }

  it('some-scheduler-endpoint with force_invoke: 200 ok, one forced run per call, on purpose', async () => {
    const first = await curl('some-scheduler-endpoint')
    expect(first.exchange.body).toBe('{"force_invoke":true}')
    expect(first.exchange.status).toBe(200)
    expect(first.body).toMatchObject({ ok: true, status: 'completed', forced: true })
    expect(worked('some-scheduler-endpoint')).toBe(1)
    // force_invoke means "run again on purpose": each call is exactly one run, recorded as forced.
    const second = await curl('some-scheduler-endpoint')
    expect(second.body).toMatchObject({ ok: true, status: 'completed', forced: true })
    expect(second.body.jobId).not.toBe(first.body.jobId)
    expect(worked('some-scheduler-endpoint')).toBe(2)
  })

  it('notification-worker {"limit":10}: sends each pending notification once; repeated, sends nothing', async () => {
    await jobs.enqueueMany(
      ['a', 'b', 'c'].map((to) => ({ name: 'send-notification' as const, input: { to } })),
    )
    const first = await curl('notification-worker')
    expect(first.exchange.status).toBe(200)
    expect(first.body).toMatchObject({ ok: true, claimed: 3, completed: 3, retried: 0, failed: 0 })
    expect(typeof first.body.durationMs).toBe('number')
    const second = await curl('notification-worker')
    expect(second.body).toMatchObject({ ok: true, claimed: 0, completed: 0 })
    expect(work.filter((entry) => entry.startsWith('notify:')).sort()).toEqual([
      'notify:a',
      'notify:b',
      'notify:c',
    ])
  })

  it('the cron secret cannot run billing (403) and writes nothing', async () => {
    const before = await rows('generate-monthly-invoices')
    const response = await fetch(`${server.url}/functions/v1/generate-monthly-invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.CRON_SECRET}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(response.status).toBe(403)
    expect(await rows('generate-monthly-invoices')).toBe(before)
  })
})

describe('50 concurrent triggers of one scheduled job in one slot', () => {
  it('run it once', async () => {
    const name = 'escalate-overdue-bookings'
    await admin.query('delete from nightshift.jobs where type = $1', [name])
    // A later day's slot, so the earlier test's run does not count.
    const laterNow = new Date('2026-11-29T09:07:00Z')
    const handler = createHandler(jobs, {
      basePath: '/functions/v1',
      now: () => laterNow,
      auth: { tokens: [secrets.SUPABASE_SERVICE_ROLE_KEY] },
    })
    const local = await serveFetchHandler(handler)
    const before = worked(name)
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${local.url}/functions/v1/${name}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${secrets.SUPABASE_SERVICE_ROLE_KEY}`,
              'content-type': 'application/json',
            },
            body: '{}',
          }).then(async (response) => ({
            status: response.status,
            body: (await response.json()) as Record<string, unknown>,
          })),
        ),
      )
      for (const answer of answers) {
        expect([200, 202]).toContain(answer.status)
        expect(answer.body.ok).toBe(true)
      }
      expect(new Set(answers.map((answer) => answer.body.jobId)).size).toBe(1)
      expect(answers.filter((answer) => answer.body.status === 'completed').length).toBeLessThanOrEqual(50)
      await jobs.process({ limit: 10 })
      expect(worked(name) - before).toBe(1)
      expect(await rows(name)).toBe(1)
    } finally {
      await local.close()
    }
  })
})
