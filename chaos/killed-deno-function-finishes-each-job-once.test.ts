import { afterAll, beforeAll, expect, it } from 'vitest'
import { secrets, startContractFunction } from '../packages/adapter-supabase/test/function-environment.js'
import { pgbouncerMissing } from '../test-support/start-pgbouncer.js'
import { byScale, chaosScale } from './support/scale.js'
import { secretsIn } from './support/secret-scan.js'

// The function runs behind PgBouncer in transaction mode, as on Supabase; a laptop without it skips.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

const kills = byScale(2, 20)

let app: Awaited<ReturnType<typeof startContractFunction>>
// What every Deno process printed, kept across restarts for the secret scan.
const printed: string[] = []

beforeAll(async () => {
  if (missing) return
  app = await startContractFunction('chaos_sigkill')
}, 120_000)
afterAll(async () => {
  if (app) printed.push(app.fn.output())
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

async function effectsOf(jobId: string): Promise<string[]> {
  const { rows } = await app.admin.query<{ what: string }>(
    'select what from effects where job_id = $1 order by id',
    [jobId],
  )
  return rows.map((row) => row.what)
}

it.skipIf(missing)(
  `a Deno function SIGKILLed mid-job, ${kills} times: each job is finished by the next call after its lease, its effect once (${chaosScale})`,
  async () => {
    const drainCalls: number[] = []
    for (let kill = 0; kill < kills; kill++) {
      // slow-job's first attempt never ends: the process is killed under it, as at a wall-clock cut.
      const call = fetch(`${app.gateway.url}/functions/v1/slow-job`, {
        method: 'POST',
        headers: bearer,
        body: '{}',
      })
      const running = await until(
        async () =>
          (
            await app.admin.query<{ id: string }>(
              `select id from nightshift.jobs where type = 'slow-job' and status = 'processing'`,
            )
          ).rows,
        (rows) => rows.length === 1,
      )
      const jobId = running[0]?.id as string
      await until(
        () => effectsOf(jobId),
        (rows) => rows.includes('attempt 1'),
      )
      printed.push(app.fn.output())
      await app.restart()
      expect((await call).status).toBe(502)

      // The queue route, called as a schedule would call it, until the job's lease (1 s) has run out.
      let calls = 0
      await until(
        async () => {
          calls++
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
      drainCalls.push(calls)
      const { rows } = await app.admin.query<{ status: string; attempts: number; result: unknown }>(
        'select status, attempts, result from nightshift.jobs where id = $1',
        [jobId],
      )
      expect(rows).toEqual([{ status: 'completed', attempts: 2, result: { attempt: 2 } }])
      expect(await effectsOf(jobId)).toEqual(['attempt 1', 'attempt 2', 'done'])
    }

    // Over every kill: each job completed, and its effect ('done', written in the completing
    // transaction) exists once; nothing is left to run.
    const { rows: done } = await app.admin.query<{ jobs: number; completed: number; effects: number }>(
      `select (select count(*)::int from nightshift.jobs where type = 'slow-job') as jobs,
              (select count(*)::int from nightshift.jobs where type = 'slow-job' and status = 'completed') as completed,
              (select count(*)::int from effects where what = 'done') as effects`,
    )
    console.log(
      `SIGKILLed Deno function (${chaosScale}): ${kills} kills, ${JSON.stringify(done[0])}, queue calls until each finished: ${drainCalls.join(',')}`,
    )
    expect(done[0]).toEqual({ jobs: kills, completed: kills, effects: kills })
    const again = await fetch(`${app.gateway.url}/functions/v1/process-queue`, {
      method: 'POST',
      headers: bearer,
      body: '{"limit":10}',
    })
    expect(await again.json()).toMatchObject({ ok: true, claimed: 0 })
    expect(secretsIn(printed.join('\n'), secrets)).toEqual([])
  },
  byScale(120_000, 600_000),
)
