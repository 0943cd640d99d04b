import { createHandler, createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { serveFetchHandler } from './serve-fetch-handler.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('tick_route_failed')
})
afterAll(() => db?.drop())

// Regression: POST /tick answered 200 `ok: true` when a schedule failed to tick (it was only listed in
// `failed`), so a cron step or the GitHub Action reading `ok` reported success.
test('POST /tick answers 500 ok: false naming a schedule that could not tick; the others still ticked', async () => {
  const gate = { open: true }
  const fragile = defineJob({
    name: 'fragile',
    schedule: '* * * * *',
    input: z.object({}).refine(() => gate.open, 'the gate is closed'),
    run: () => null,
  })
  const steady = defineJob({ name: 'steady', schedule: '* * * * *', run: () => null })
  const jobs = createJobs({ db: db.url, jobs: [fragile, steady], logger: false })
  const token = 'tick-route-token-0123456789abcdef'
  const clock = { now: new Date('2026-11-30T10:30:00Z') }
  const server = await serveFetchHandler(
    createHandler(jobs, { auth: { tokens: [token] }, now: () => clock.now }),
  )
  const tick = () =>
    fetch(`${server.url}/tick`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    })
  try {
    await jobs.migrate()
    const first = await tick()
    expect(first.status).toBe(200)
    expect(((await first.json()) as { ok: boolean }).ok).toBe(true)
    gate.open = false
    clock.now = new Date('2026-11-30T10:31:30Z')
    const answer = await tick()
    const body = (await answer.json()) as {
      ok: boolean
      error: { code: string; message: string }
      enqueued: { name: string }[]
      failed: { name: string; code: string }[]
    }
    expect(answer.status).toBe(500)
    expect(body.ok).toBe(false)
    expect(body.error).toEqual({
      code: 'internal',
      message: 'these schedules could not tick: fragile (see failed, and the log)',
    })
    expect(body.failed).toEqual([expect.objectContaining({ name: 'fragile', code: 'invalid_input' })])
    expect(body.enqueued.map((slot) => slot.name)).toEqual(['steady'])
  } finally {
    await server.close()
    await jobs.close()
  }
})
