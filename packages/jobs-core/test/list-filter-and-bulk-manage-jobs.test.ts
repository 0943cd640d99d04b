import { createHandler, createJobs, defineJob, JobFailError, NightshiftError } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { serveFetchHandler } from './serve-fetch-handler.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('list_jobs')
})
afterAll(() => db?.drop())

const send = defineJob({
  name: 'send-whatsapp',
  maxAttempts: 1,
  run: (_input, ctx) => {
    if (Number(ctx.jobId) % 2 === 0) throw new JobFailError('number unreachable')
  },
})
const zoom = defineJob({ name: 'create-zoom', run: () => undefined })

test('listJobs filters by name, status, key and time, newest first, page by page; retryJobs and cancelJobs act on a filter', async () => {
  const jobs = createJobs({ db: db.url, jobs: [send, zoom], logger: false })
  try {
    await jobs.migrate()
    const sends = await jobs.enqueueMany(
      Array.from({ length: 7 }, () => ({ name: 'send-whatsapp' as const, input: {} })),
    )
    const beforeZoom = new Date()
    const zooms = await jobs.enqueueMany([
      { name: 'create-zoom', input: {}, idempotencyKey: 'class-42' },
      { name: 'create-zoom', input: {}, runAt: new Date(Date.now() + 3_600_000) },
    ])
    await jobs.process({ limit: 7, names: ['send-whatsapp'] })
    const failedIds = sends.map((job) => job.id).filter((id) => Number(id) % 2 === 0)

    // Pages of 2 over the failed sends: newest first, no job twice, none missed.
    const seen: string[] = []
    let page = await jobs.listJobs({ names: ['send-whatsapp'], statuses: ['failed'], limit: 2 })
    seen.push(...page.jobs.map((job) => job.id))
    while (page.nextCursor) {
      page = await jobs.listJobs({
        names: ['send-whatsapp'],
        statuses: ['failed'],
        limit: 2,
        cursor: page.nextCursor,
      })
      seen.push(...page.jobs.map((job) => job.id))
    }
    expect(seen).toEqual([...failedIds].reverse())
    expect((await jobs.listJobs({ idempotencyKey: 'class-42' })).jobs.map((job) => job.id)).toEqual([
      zooms[0]?.id,
    ])
    expect((await jobs.listJobs({ createdAfter: beforeZoom })).jobs.map((job) => job.name)).toEqual([
      'create-zoom',
      'create-zoom',
    ])

    await expect(jobs.listJobs({ statuses: ['done' as never] })).rejects.toThrow(/unknown job status "done"/)
    await expect(jobs.listJobs({ limit: 0 })).rejects.toThrow(NightshiftError)
    await expect(jobs.cancelJobs({})).rejects.toThrow(/needs a filter/)

    // Bulk: only jobs in a status the change applies to move.
    expect(await jobs.retryJobs({ names: ['send-whatsapp'] })).toBe(failedIds.length)
    expect((await jobs.listJobs({ names: ['send-whatsapp'], statuses: ['pending'] })).jobs).toHaveLength(
      failedIds.length,
    )
    expect(await jobs.cancelJobs({ names: ['create-zoom'], statuses: ['pending'] })).toBe(2)
    expect(await jobs.cancelJobs({ names: ['create-zoom'] })).toBe(0)
    expect((await jobs.listJobs({ statuses: ['cancelled'] })).jobs.map((job) => job.name)).toEqual([
      'create-zoom',
      'create-zoom',
    ])
  } finally {
    await jobs.close()
  }
})

test('GET <base>/jobs lists jobs with the same filters, without payloads, and answers 400 naming a bad parameter', async () => {
  const jobs = createJobs({ db: db.url, jobs: [send, zoom], logger: false, schema: 'list_http' })
  const token = 'list-jobs-token-0123456789abcdef'
  const scoped = 'zoom-only-token-0123456789abcdef'
  const server = await serveFetchHandler(
    createHandler(jobs, { auth: { tokens: { [token]: '*', [scoped]: ['create-zoom'] } } }),
  )
  const get = (query: string, bearer = token) =>
    fetch(`${server.url}/jobs${query}`, { headers: { authorization: `Bearer ${bearer}` } })
  try {
    await jobs.migrate()
    await jobs.enqueueMany([
      { name: 'create-zoom', input: { secret: 'payload stays out' } as never },
      { name: 'create-zoom', input: {} },
      { name: 'send-whatsapp', input: {} },
    ])
    const first = await get('?name=create-zoom&limit=1')
    expect(first.status).toBe(200)
    const body = (await first.json()) as { ok: boolean; jobs: Record<string, unknown>[]; nextCursor: string }
    expect(body.ok).toBe(true)
    expect(body.jobs).toHaveLength(1)
    expect(body.jobs[0]).toMatchObject({ name: 'create-zoom', status: 'pending' })
    expect(body.jobs[0]).not.toHaveProperty('payload')
    const second = (await (await get(`?name=create-zoom&limit=1&cursor=${body.nextCursor}`)).json()) as {
      jobs: { id: string }[]
      nextCursor: string | null
    }
    expect(second.jobs).toHaveLength(1)
    expect(second.nextCursor).toBeNull()
    expect((await get('?status=pending,processing')).status).toBe(200)

    const bad = await get('?status=done')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const unknownParameter = await get('?colour=red')
    expect(unknownParameter.status).toBe(400)
    expect(((await unknownParameter.json()) as { error: { message: string } }).error.message).toContain(
      '"colour"',
    )
    expect((await get('?limit=5000')).status).toBe(400)
    expect((await get('?created_after=yesterday')).status).toBe(400)
    // Listing reaches every job's name and status: a token scoped to one job may not.
    expect((await get('', scoped)).status).toBe(403)
    expect((await fetch(`${server.url}/jobs`)).status).toBe(401)
  } finally {
    await server.close()
    await jobs.close()
  }
})
