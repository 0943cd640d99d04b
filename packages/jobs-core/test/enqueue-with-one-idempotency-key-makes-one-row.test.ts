import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('idempotency')
})
afterAll(() => db?.drop())

test('20 concurrent enqueues with one idempotency key make one row and return the same id', async () => {
  const invoice = defineJob({ name: 'bill-month', input: z.object({ month: z.string() }), run: () => {} })
  const setup = createJobs({ db: db.url, jobs: [invoice] })
  await setup.migrate()
  // 20 queues, each with its own pool: 20 separate connections racing on the same key.
  const queues = Array.from({ length: 20 }, () =>
    createJobs({ db: db.url, jobs: [invoice], maxConnections: 1 }),
  )
  try {
    await Promise.all(queues.map((jobs) => jobs.stats()))
    const results = await Promise.all(
      queues.map((jobs) =>
        jobs.enqueue('bill-month', { month: '2026-11' }, { idempotencyKey: 'bill-month:2026-11' }),
      ),
    )
    expect(new Set(results.map((result) => result.id)).size).toBe(1)
    expect(results.filter((result) => result.created)).toHaveLength(1)
    const rows = await setup.executor.query<{ n: number }>('select count(*)::int as n from nightshift.jobs')
    expect(rows[0]?.n).toBe(1)

    // enqueueMany with the same key again, and a repeated key in one batch, still make no new row.
    const many = await setup.enqueueMany([
      { name: 'bill-month', input: { month: '2026-11' }, idempotencyKey: 'bill-month:2026-11' },
      { name: 'bill-month', input: { month: '2026-12' }, idempotencyKey: 'bill-month:2026-12' },
      { name: 'bill-month', input: { month: '2026-12' }, idempotencyKey: 'bill-month:2026-12' },
    ])
    expect(many.map((result) => result.created)).toEqual([false, true, false])
    expect(many[0]?.id).toBe(results[0]?.id)
    expect(many[1]?.id).toBe(many[2]?.id)
  } finally {
    await Promise.all(queues.map((jobs) => jobs.close()))
    await setup.close()
  }
})
