import { afterAll, beforeAll, expect, it } from 'vitest'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { secrets, startContractFunction } from './function-environment.js'

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let app: Awaited<ReturnType<typeof startContractFunction>>

beforeAll(async () => {
  if (missing) return
  app = await startContractFunction('supabase_sigkill')
}, 120_000)
afterAll(async () => {
  await app?.close()
})

const bearer = {
  authorization: `Bearer ${secrets.SUPABASE_SERVICE_ROLE_KEY}`,
  'content-type': 'application/json',
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function effects(): Promise<string[]> {
  const { rows } = await app.admin.query<{ what: string }>('select what from effects order by id')
  return rows.map((row) => row.what)
}

it.skipIf(missing)(
  'a function SIGKILLed mid-job: the next call after the lease finishes the job once, nothing lost',
  async () => {
    // The first attempt never ends: the function is killed while it runs (a platform cut at its wall clock).
    const call = fetch(`${app.gateway.url}/functions/v1/slow-job`, {
      method: 'POST',
      headers: bearer,
      body: '{}',
    })
    await until(effects, (rows) => rows.includes('attempt 1'))
    const { rows: running } = await app.admin.query<{ id: string; status: string }>(
      `select id, status from nightshift.jobs where type = 'slow-job'`,
    )
    expect(running).toEqual([{ id: expect.any(String), status: 'processing' }])
    await app.restart()
    // The gateway saw the function die under the request: no contract answer, nothing recorded.
    expect((await call).status).toBe(502)
    const jobId = running[0]?.id

    // The next scheduled call of the queue route: the lease (1 s) runs out, then the job is claimed again.
    const drained = await until(
      async () => {
        const response = await fetch(`${app.gateway.url}/functions/v1/process-queue`, {
          method: 'POST',
          headers: bearer,
          body: '{"limit":10}',
        })
        expect(response.status).toBe(200)
        return (await response.json()) as { completed: number }
      },
      (report) => report.completed > 0,
    )
    expect(drained.completed).toBe(1)
    const { rows } = await app.admin.query<{ status: string; attempts: number; result: unknown }>(
      'select status, attempts, result from nightshift.jobs where id = $1',
      [jobId],
    )
    expect(rows).toEqual([{ status: 'completed', attempts: 2, result: { attempt: 2 } }])
    expect(await effects()).toEqual(['attempt 1', 'attempt 2', 'done'])
    // Later calls find nothing more to do: it completed once.
    const again = await fetch(`${app.gateway.url}/functions/v1/process-queue`, {
      method: 'POST',
      headers: bearer,
      body: '{"limit":10}',
    })
    expect(await again.json()).toMatchObject({ ok: true, claimed: 0 })
    expect(await effects()).toEqual(['attempt 1', 'attempt 2', 'done'])
  },
)
