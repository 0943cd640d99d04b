import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('drained_queue')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A real pool that counts the statements that claim jobs (`for update skip locked`). */
function countingPool(url: string): { pool: pg.Pool; claims: () => number } {
  const pool = new pg.Pool({ connectionString: url })
  let claims = 0
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>
  pool.query = ((...args: unknown[]) => {
    const [config] = args
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text
    if (text?.includes('for update skip locked')) claims++
    return query(...args)
  }) as typeof pool.query
  return { pool, claims: () => claims }
}

// Once a claim comes back short, no due job is left: the completions that follow must not claim
// again (behind a large backlog of future jobs each such claim reads the whole claim index) until a
// notification or the next poll says there may be work.
test('after a short claim, completions stop claiming until the worker is notified or polls', async () => {
  const seen: number[] = []
  const work = defineJob({
    name: 'work',
    run: async () => {
      seen.push(Date.now())
      await sleep(50)
    },
  })
  const { pool, claims } = countingPool(db.url)
  const jobs = createJobs({ db: pool, jobs: [work] })
  try {
    await jobs.migrate()
    await jobs.enqueueMany([
      { name: 'work', input: {} },
      { name: 'work', input: {} },
      { name: 'work', input: {} },
    ])
    // One claim of up to 5 takes all three and comes back short; the long poll keeps the loop asleep.
    const worker = jobs.worker({ concurrency: 5, listen: false, pollIntervalMs: 60_000 })
    for (let i = 0; i < 200 && (await jobs.stats()).counts.completed < 3; i++) await sleep(20)
    expect((await jobs.stats()).counts.completed).toBe(3)
    await sleep(200)
    // Without the rule, the statement completing the three would also have claimed (a second claim).
    expect(claims()).toBe(1)
    await worker.stop()
  } finally {
    await jobs.close()
    await pool.end()
  }
})
