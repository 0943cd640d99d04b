import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('prefetch')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return
    await sleep(25)
  }
  throw new Error(`timed out waiting for ${what}`)
}

test('a prefetching worker leases jobs ahead, runs at most `concurrency`, tops up its queue, and hands the queue back on stop', async () => {
  const direct = new pg.Pool({ connectionString: db.url, max: 2 })
  const runs = new Map<string, number>()
  let running = 0
  let mostAtOnce = 0
  // The n-th run started may finish once n <= allowed.
  let started = 0
  let allowed = 0
  // Jobs whose handler returned: their rows stay `processing` until their completion is written.
  const returned = new Set<string>()
  const gate = defineJob({
    name: 'gated',
    run: async (_input, ctx) => {
      const ordinal = ++started
      runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1)
      running++
      mostAtOnce = Math.max(mostAtOnce, running)
      while (ordinal > allowed) await sleep(5)
      running--
      returned.add(ctx.jobId)
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [gate], schema: 'prefetch', leaseMs: 60_000 })
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: 300 }, () => ({ name: 'gated' as const, input: {} })))
    // Leased to the worker and not yet returned by a handler: running or queued. A finished run whose
    // completion is still being written holds nothing another worker could take.
    const held = async () =>
      (
        await direct.query<{ id: string }>(`select id from prefetch.jobs where status = 'processing'`)
      ).rows.filter((row) => !returned.has(row.id)).length
    const worker = jobs.worker({ concurrency: 3, prefetch: 40, listen: false, pollIntervalMs: 20 })
    // Three handlers are blocked; the worker holds their jobs plus 40 queued ones, all leased to it.
    await until(async () => running === 3 && (await held()) === 43, '3 running and 43 held')
    await sleep(150)
    expect(await held()).toBe(43)
    // 25 finish. Once the queue falls to half of prefetch (20) it is topped up, so the worker holds
    // about 38 when the next three block; one that claimed only once its queue was empty would hold 18.
    allowed = 25
    await until(async () => started === 28 && running === 3 && (await held()) >= 35, 'the queue topped up')
    expect(await held()).toBeLessThanOrEqual(43)
    // Let jobs flow: never more than concurrency + prefetch held (running or queued), never more than
    // 3 at once.
    allowed = 150
    let mostHeld = 0
    await until(async () => {
      mostHeld = Math.max(mostHeld, await held())
      return started >= 153 && running === 3
    }, '150 runs')
    expect(mostHeld).toBeLessThanOrEqual(43)
    expect(mostAtOnce).toBe(3)
    const stopping = worker.stop({ timeoutMs: 10_000 })
    await sleep(100)
    allowed = Number.POSITIVE_INFINITY
    await stopping
    // Nothing held after stop: the queued jobs went back to pending without spending an attempt.
    const rows = await direct.query<{ status: string; attempts: number; n: number }>(
      'select status, attempts, count(*)::int as n from prefetch.jobs group by 1, 2 order by 1, 2',
    )
    const completed = rows.rows.find((row) => row.status === 'completed')?.n ?? 0
    expect(rows.rows).toEqual([
      { status: 'completed', attempts: 1, n: completed },
      { status: 'pending', attempts: 0, n: 300 - completed },
    ])
    expect(completed).toBe(runs.size)
    expect([...runs.values()].every((count) => count === 1)).toBe(true)
  } finally {
    await jobs.close()
    await direct.end()
  }
})
