import { createHandler, createJobs, defineJob, JobFailError } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { serveFetchHandler } from './serve-fetch-handler.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('metrics_route')
})
afterAll(() => db?.drop())

// Prometheus' text format: `name{labels} value` lines (and # HELP / # TYPE comments).
function series(text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    values.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return values
}

test('GET <base>/metrics answers depth, oldest due age and last minute runs per job name, in Prometheus text', async () => {
  let runs = 0
  const send = defineJob({
    name: 'send-whatsapp',
    run: () => {
      runs++
      if (runs === 3) throw new JobFailError('number unreachable')
    },
  })
  const zoom = defineJob({ name: 'create-zoom', run: () => undefined })
  const jobs = createJobs({ db: db.url, jobs: [send, zoom], logger: false })
  const token = 'metrics-token-0123456789abcdef'
  const server = await serveFetchHandler(
    createHandler(jobs, { auth: { tokens: [token] }, basePath: '/functions/v1', healthRequiresAuth: true }),
  )
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: 3 }, () => ({ name: 'send-whatsapp' as const, input: {} })))
    await jobs.process({ limit: 3, names: ['send-whatsapp'] })
    // Two due zoom jobs, one of them waiting for about 90 s; one not due for an hour; one running.
    await jobs.enqueueMany([
      { name: 'create-zoom', input: {} },
      { name: 'create-zoom', input: {} },
      { name: 'create-zoom', input: {}, runAt: new Date(Date.now() + 3_600_000) },
      { name: 'create-zoom', input: {} },
    ])
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    const { rows } = await client.query<{ id: string }>(
      `select id from nightshift.jobs where type = 'create-zoom' and scheduled_for <= now() order by id`,
    )
    const [oldest, , running] = rows.map((row) => row.id)
    await client.query(
      `update nightshift.jobs set scheduled_for = now() - interval '90 seconds' where id = $1`,
      [oldest],
    )
    await client.query(
      `update nightshift.jobs set status = 'processing', locked_by = 'worker:x', locked_until = now() + interval '1 minute'
       where id = $1`,
      [running],
    )
    await client.end()

    expect((await fetch(`${server.url}/functions/v1/metrics`)).status).toBe(401)
    const response = await fetch(`${server.url}/functions/v1/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const text = await response.text()
    expect(text).toContain('# TYPE nightshift_jobs_due gauge')
    const values = series(text)
    expect(values.get('nightshift_jobs_due{job="create-zoom"}')).toBe(2)
    expect(values.get('nightshift_jobs_scheduled{job="create-zoom"}')).toBe(1)
    expect(values.get('nightshift_jobs_processing{job="create-zoom"}')).toBe(1)
    const age = values.get('nightshift_oldest_due_job_age_seconds{job="create-zoom"}') as number
    expect(age).toBeGreaterThanOrEqual(89)
    expect(age).toBeLessThan(3600)
    expect(values.get('nightshift_jobs_due{job="send-whatsapp"}')).toBe(0)
    expect(values.get('nightshift_runs_last_minute{job="send-whatsapp",outcome="completed"}')).toBe(2)
    expect(values.get('nightshift_runs_last_minute{job="send-whatsapp",outcome="failed"}')).toBe(1)
    expect(values.get('nightshift_runs_last_minute{job="create-zoom",outcome="completed"}')).toBe(0)
    expect(values.get('nightshift_runs_last_minute_at_limit')).toBe(0)
    // The same figures from the API, for OpenTelemetry or a route of one's own.
    expect((await jobs.metrics()).jobs.map((job) => [job.name, job.due, job.processing])).toEqual([
      ['create-zoom', 2, 1],
      ['send-whatsapp', 0, 0],
    ])
  } finally {
    await server.close()
    await jobs.close()
  }
})
