import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('stop_refill')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('a replacement claimed by the statement recording a completion, when it returns after stop(), is handed back, not left leased', async () => {
  const ran: string[] = []
  let firstMayEnd = false
  let othersMayEnd = false
  const gated = defineJob({
    name: 'gated',
    run: async (_input, ctx) => {
      const first = ran.length === 0
      ran.push(ctx.jobId)
      while (!(first ? firstMayEnd : othersMayEnd)) await sleep(5)
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [gated], schema: 'stop_refill' })
  const locker = new pg.Client({ connectionString: db.url })
  await locker.connect()
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: 5 }, () => ({ name: 'gated' as const, input: {} })))
    const worker = jobs.worker({ concurrency: 1, listen: false, pollIntervalMs: 20 })
    while (ran.length === 0) await sleep(5)
    const [first] = ran as [string]
    // Hold the running job's row, so that the statement recording its completion waits on the lock.
    await locker.query('begin')
    await locker.query('select id from stop_refill.jobs where id = $1 for update', [first])
    // The first handler returns; its completion (with the claim of a replacement) waits on the lock.
    // The slot is free meanwhile, so the loop claims and starts another job, which stays running.
    firstMayEnd = true
    for (let i = 0; i < 400; i++) {
      const waiting = await locker.query(
        `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      )
      if (waiting.rowCount && ran.length === 2) break
      await sleep(10)
    }
    expect(ran).toHaveLength(2)
    const stopped = worker.stop({ timeoutMs: 10_000 })
    // The statement now returns: the first job completed, and a replacement claimed after stop().
    await locker.query('commit')
    await sleep(100)
    othersMayEnd = true
    await stopped
    expect(ran).toHaveLength(2)
    // Nothing is left leased to the stopped worker: the replacement went back without an attempt.
    const rows = await locker.query<{ status: string; attempts: number; n: number }>(
      'select status, attempts, count(*)::int as n from stop_refill.jobs group by 1, 2 order by 1, 2',
    )
    expect(rows.rows).toEqual([
      { status: 'completed', attempts: 1, n: 2 },
      { status: 'pending', attempts: 0, n: 3 },
    ])
  } finally {
    await locker.end()
    await jobs.close()
  }
})
