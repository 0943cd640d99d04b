import { createJobs, defineJob, type JobEventMap } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('job_events')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('jobs.on tells each run of a worker: start, success, retry, failure, and leases that expired', async () => {
  let calls = 0
  const ok = defineJob({ name: 'ok', run: () => ({ done: true }) })
  const twice = defineJob({
    name: 'twice',
    maxAttempts: 2,
    backoff: { baseMs: 10, maxMs: 10 },
    run: () => {
      calls++
      throw new Error(`attempt ${calls} broke`)
    },
  })
  const seen: { event: keyof JobEventMap; detail: Record<string, unknown> }[] = []
  const jobs = createJobs({ db: db.url, jobs: [ok, twice], logger: false })
  const listen = <Name extends keyof JobEventMap>(event: Name) =>
    jobs.on(
      event,
      (detail) => void seen.push({ event, detail: detail as unknown as Record<string, unknown> }),
    )
  for (const event of ['job:start', 'job:success', 'job:retry', 'job:failed', 'lease:expired'] as const)
    listen(event)
  // A listener that throws is logged and skipped; the worker and the other listeners go on.
  jobs.on('job:start', () => {
    throw new Error('a broken metrics exporter')
  })
  try {
    await jobs.migrate()
    const { id: okId } = await jobs.enqueue('ok', {})
    const { id: twiceId } = await jobs.enqueue('twice', {})
    // A job whose worker died mid-run: processing, its lease already over.
    const { id: orphanId } = await jobs.enqueue('ok', {}, { runAt: new Date(Date.now() + 3_600_000) })
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    await client.query(
      `update nightshift.jobs set status = 'processing', attempts = 1, runs = runs + 1, locked_by = 'worker:dead',
       locked_until = now() - interval '1 minute', scheduled_for = now() - interval '2 minutes' where id = $1`,
      [orphanId],
    )
    await client.end()
    const worker = jobs.worker({ concurrency: 2, pollIntervalMs: 20 })
    for (let i = 0; i < 400; i++) {
      const statuses = await Promise.all(
        [okId, twiceId, orphanId].map(async (id) => (await jobs.getJob(id))?.status),
      )
      if (statuses.join() === 'completed,failed,completed') break
      await sleep(25)
    }
    await worker.stop()
    const of = (event: keyof JobEventMap, jobId: string) =>
      seen
        .filter((entry) => entry.event === event && entry.detail.jobId === jobId)
        .map((entry) => entry.detail)
    expect(of('job:start', okId)).toEqual([
      { jobId: okId, name: 'ok', attempt: 1, maxAttempts: 5, workerId: expect.stringMatching(/^worker:/) },
    ])
    expect(of('job:success', okId)).toEqual([
      expect.objectContaining({ jobId: okId, durationMs: expect.any(Number) }),
    ])
    expect(of('job:retry', twiceId)).toEqual([
      expect.objectContaining({
        name: 'twice',
        attempt: 1,
        error: 'attempt 1 broke',
        retryInMs: expect.any(Number),
      }),
    ])
    expect(of('job:failed', twiceId)).toEqual([
      expect.objectContaining({ name: 'twice', attempt: 2, error: 'attempt 2 broke' }),
    ])
    expect(of('job:start', twiceId)).toHaveLength(2)
    const expired = seen.filter((entry) => entry.event === 'lease:expired').map((entry) => entry.detail)
    expect(expired).toEqual([{ jobs: [{ jobId: orphanId, name: 'ok', attempt: 1, status: 'pending' }] }])
    expect(of('job:success', orphanId)).toHaveLength(1)
  } finally {
    await jobs.close()
  }
})

test('the function jobs.on returns stops the listener', async () => {
  const ok = defineJob({ name: 'ok', run: () => undefined })
  const jobs = createJobs({ db: db.url, jobs: [ok], logger: false, schema: 'events_off' })
  const heard: string[] = []
  const off = jobs.on('job:success', (event) => void heard.push(event.jobId))
  try {
    await jobs.migrate()
    const first = await jobs.enqueue('ok', {})
    await jobs.process({ limit: 1 })
    off()
    await jobs.enqueue('ok', {})
    await jobs.process({ limit: 1 })
    expect(heard).toEqual([first.id])
  } finally {
    await jobs.close()
  }
})
