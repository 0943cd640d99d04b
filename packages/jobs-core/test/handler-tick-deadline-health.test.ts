import { createHandler, createJobs, defineJob, type Logger } from '@nightshift/jobs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveFetchHandler } from './serve-fetch-handler.js'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const token = 'tick-test-token-all'
const runs: string[] = []
let releaseSlowJob: () => void = () => {}
const slowJobGate = new Promise<void>((resolve) => {
  releaseSlowJob = resolve
})

const definitions = [
  defineJob({ name: 'hourly-report', schedule: '0 * * * *', run: () => runs.push('hourly-report') }),
  defineJob({
    name: 'slow-job',
    run: async () => {
      await slowJobGate
      runs.push('slow-job')
      return 'finished'
    },
  }),
] as const

let clock = new Date('2026-11-28T09:07:00Z')
let served: ServedJobs<typeof definitions>
let jobs: ServedJobs<typeof definitions>['jobs']
let server: ServedJobs<typeof definitions>['server']
let base: string
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

async function post(path: string, body = '{}') {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: auth, body })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

beforeAll(async () => {
  served = await serveJobs('handler_tick', definitions, (jobs) =>
    createHandler(jobs, {
      basePath: '/functions/v1',
      waitMs: 300,
      now: () => clock,
      auth: { tokens: [token] },
    }),
  )
  ;({ jobs, server } = served)
  base = `${server.url}/functions/v1`
})

afterAll(async () => {
  releaseSlowJob()
  await served?.close()
})

describe('POST tick', () => {
  it('enqueues a due slot once and runs it; repeated ticks and triggers run nothing more', async () => {
    const first = await post('/tick')
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ ok: true, enqueued: [] })
    clock = new Date('2026-11-28T10:01:00Z')
    const second = await post('/tick')
    expect(second.body).toMatchObject({
      ok: true,
      enqueued: [{ name: 'hourly-report', slot: '2026-11-28T10:00:00.000Z' }],
      processed: { completed: 1 },
    })
    expect(runs.filter((run) => run === 'hourly-report')).toHaveLength(1)
    clock = new Date('2026-11-28T10:02:00Z')
    const third = await post('/tick')
    expect(third.body).toMatchObject({ ok: true, enqueued: [] })
    const trigger = await post('/hourly-report')
    expect(trigger.body).toMatchObject({ ok: true, status: 'already-done' })
    expect(runs.filter((run) => run === 'hourly-report')).toHaveLength(1)
  })

  it('rejects a body with fields', async () => {
    expect((await post('/tick', '{"now":"2030-01-01"}')).status).toBe(400)
  })
})

describe('the wait ends before the job', () => {
  it('answers 202 running, and the job still completes', async () => {
    const answer = await post('/slow-job')
    expect(answer.status).toBe(202)
    expect(answer.body).toMatchObject({ ok: true, status: 'running' })
    releaseSlowJob()
    let status: unknown
    for (let poll = 0; poll < 200 && status !== 'completed'; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      const job = await fetch(`${base}/jobs/${String(answer.body.jobId)}`, { headers: auth })
      status = ((await job.json()) as { job: { status: string } }).job.status
    }
    expect(status).toBe('completed')
    expect(runs).toContain('slow-job')
  })
})

describe('GET health', () => {
  it('is 503 with ok: false when a due job has waited past the stuck threshold', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200)
    await jobs.enqueue('slow-job', {}, { runAt: new Date(Date.now() - 3_600_000) })
    const response = await fetch(`${base}/health`)
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ ok: false, stuck: 1, counts: { pending: 1 } })
  })

  it('can require a token', async () => {
    const guarded = await serveFetchHandler(
      createHandler(jobs, { auth: { tokens: [token] }, healthRequiresAuth: true }),
    )
    try {
      expect((await fetch(`${guarded.url}/health`)).status).toBe(401)
      expect((await fetch(`${guarded.url}/health`, { headers: auth })).status).toBe(503)
    } finally {
      await guarded.close()
    }
  })
})

describe('a database that cannot be reached', () => {
  it('is 503 database_unavailable with no address in the body, and is logged by message', async () => {
    const logged: string[] = []
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`),
    }
    const unreachable = createJobs({ db: 'postgres://postgres@127.0.0.1:1/none', jobs: definitions, logger })
    const local = await serveFetchHandler(createHandler(unreachable, { auth: { tokens: [token] } }))
    try {
      const response = await fetch(`${local.url}/health`)
      expect(response.status).toBe(503)
      expect(await response.json()).toEqual({
        ok: false,
        error: { code: 'database_unavailable', message: 'the database cannot be reached; try again later' },
      })
      expect(logged.join('\n')).toMatch(/nightshift handler cannot reach the database .*127\.0\.0\.1:1/)
      expect(logged.join('\n')).not.toContain(token)
    } finally {
      await local.close()
      await unreachable.close()
    }
  })
})
