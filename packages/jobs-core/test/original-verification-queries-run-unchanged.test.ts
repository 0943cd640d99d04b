import { readFileSync } from 'node:fs'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// The two queries of the booking app's original "Verifying the worker is running" check, read unchanged
// from its fixture.
const [originalStatusQuery, originalStalePendingQuery] = readFileSync(
  new URL('../../../examples/booking/fixtures/original-verification-queries.sql', import.meta.url),
  'utf8',
)
  .split(/;\s*/)
  .map((statement) => statement.replace(/^--.*\n/gm, '').trim())
  .filter((statement) => statement.length > 0) as [string, string]

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('original_queries')
})
afterAll(() => db?.drop())

test("the booking app's original verification queries run on nightshift's table with only the table name changed", async () => {
  const ping = defineJob({ name: 'send-whatsapp', run: () => 'ok' })
  const jobs = createJobs({ db: db.url, jobs: [ping] })
  try {
    await jobs.migrate()
    const fresh = await jobs.enqueue('send-whatsapp', {})
    const done = await jobs.enqueue('send-whatsapp', {})
    const old = await jobs.enqueue('send-whatsapp', {}, { runAt: new Date(Date.now() + 3_600_000) })
    // `done` runs; the other two wait (one in the future); `old` was created an hour ago.
    await jobs.executor.query(
      `update nightshift.jobs set scheduled_for = now() + interval '1 hour' where id = $1`,
      [fresh.id],
    )
    expect((await jobs.process()).completed).toBe(1)
    await jobs.executor.query(
      `update nightshift.jobs set created_at = now() - interval '1 hour' where id = $1`,
      [old.id],
    )
    const table = (sql: string) => sql.replace('notifications_queue', 'nightshift.jobs')

    const byStatus = await jobs.executor.query<{ status: string; count: string; last_activity: Date }>(
      table(originalStatusQuery),
    )
    const counts = Object.fromEntries(byStatus.map((row) => [row.status, Number(row.count)]))
    expect(counts).toEqual({ pending: 2, completed: 1 })
    for (const row of byStatus) expect(row.last_activity).toBeInstanceOf(Date)

    const stale = await jobs.executor.query<Record<string, unknown>>(table(originalStalePendingQuery))
    expect(stale).toEqual([
      expect.objectContaining({ id: old.id, type: 'send-whatsapp', status: 'pending', attempts: 0 }),
    ])
    expect(Object.keys(stale[0] ?? {})).toEqual([
      'id',
      'type',
      'status',
      'created_at',
      'updated_at',
      'attempts',
    ])
    expect(done.id).not.toBe(old.id)
  } finally {
    await jobs.close()
  }
})
