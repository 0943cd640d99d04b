import { createHandler, createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { schemaName } from '../src/db/schema-name.js'
import type { SqlExecutor } from '../src/db/sql-executor.js'
import { queueStats } from '../src/queue/queue-stats.js'
import { serveFetchHandler } from './serve-fetch-handler.js'

let db: TestDatabase
let admin: pg.Client
const definitions = [defineJob({ name: 'noop', run: () => null })] as const
let jobs: ReturnType<typeof createJobs<typeof definitions>>

beforeAll(async () => {
  db = await createTestDatabase('health_cost')
  jobs = createJobs({ db: db.url, jobs: definitions })
  await jobs.migrate()
  admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
})

afterAll(async () => {
  await admin?.end()
  await jobs?.close()
  await db?.drop()
})

/** Finished rows of each status, ended one second apart going back from `hoursAgo` hours ago. */
async function addFinished(
  counts: { completed: number; failed: number; cancelled: number },
  hoursAgo: number,
) {
  for (const [status, count] of Object.entries(counts)) {
    await admin.query(
      `insert into nightshift.jobs (type, status, attempts, error_message, updated_at, completed_at)
       select 'noop', $1, 1, case when $1 = 'completed' then null else 'boom' end, ended, ended
       from generate_series(1, $2::int) g,
            lateral (select now() - $3 * interval '1 hour' - g * interval '1 second' as ended) as t`,
      [status, count, hoursAgo],
    )
  }
  // Settled pages (hint bits, visibility map, statistics), so the two readings compare like with like.
  await admin.query('vacuum analyze nightshift.jobs')
}

/** The statement `stats()` sends, as sent: recorded on its way to the real database. */
async function statsStatement(): Promise<{ text: string; values: readonly unknown[] }> {
  const sent: { text: string; values: readonly unknown[] }[] = []
  const recording: SqlExecutor = {
    query(text, values = [], options) {
      sent.push({ text, values })
      return jobs.executor.query(text, values, options)
    },
    transaction: (work) => jobs.executor.transaction(work),
  }
  await queueStats(recording, schemaName('nightshift'), { stuckAfterMs: 600_000 })
  expect(sent).toHaveLength(1)
  return sent[0] as { text: string; values: readonly unknown[] }
}

/**
 * Shared buffers (hit or read) the statement touches when it runs, from EXPLAIN (ANALYZE, BUFFERS):
 * the least of three runs, as a health check every 10 s runs warm (the first run after a bulk load
 * may also touch pages it tidies on the way).
 */
async function buffersOf(statement: { text: string; values: readonly unknown[] }): Promise<number> {
  const readings: number[] = []
  for (let run = 0; run < 3; run++) {
    const { rows } = await admin.query(`explain (analyze, buffers, format json) ${statement.text}`, [
      ...statement.values,
    ])
    const plan = rows[0]['QUERY PLAN'][0].Plan as Record<string, number>
    readings.push((plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0))
  }
  return Math.min(...readings)
}

test('stats() reads as many pages with 300,000 finished jobs as with 40,000: its cost follows live rows', async () => {
  // Live rows, the same throughout: 300 pending (100 not yet due) and 20 processing (5 past their lease).
  await admin.query(
    `insert into nightshift.jobs (type, scheduled_for)
     select 'noop', now() + case when g <= 100 then interval '1 hour' else -(g || ' seconds')::interval end
     from generate_series(1, 300) g`,
  )
  await admin.query(
    `insert into nightshift.jobs (type, status, attempts, locked_by, locked_until)
     select 'noop', 'processing', 1, 'worker-a', now() + case when g <= 5 then interval '-1 minute' else interval '1 minute' end
     from generate_series(1, 20) g`,
  )
  // Past the count limit in every finished status, so both readings are of a "large" history.
  await addFinished({ completed: 15_000, failed: 12_000, cancelled: 12_000 }, 0)
  const statement = await statsStatement()
  const small = await buffersOf(statement)

  // Older history (the last hour's failures stay the same; that count is bounded by the limit too).
  await addFinished({ completed: 200_000, failed: 30_000, cancelled: 30_000 }, 5)
  const large = await buffersOf(statement)

  // A scan over finished rows would read ~7x the pages; a bounded read stays flat (a little slack
  // for an index that grew a level or a page the visibility map does not yet cover).
  expect(large, `buffers: ${small} with 40k finished rows, ${large} with 300k`).toBeLessThanOrEqual(
    small * 1.2 + 20,
  )

  const stats = await jobs.stats()
  expect(stats.counts).toEqual({
    pending: 300,
    processing: 20,
    completed: 10_000,
    failed: 10_000,
    cancelled: 10_000,
  })
  expect(stats.countsAtLimit).toEqual(['completed', 'failed', 'cancelled'])
  expect(stats).toMatchObject({ expiredLeases: 5, overduePending: 0, stuck: 5 })
  expect(stats.oldestPendingSeconds).toBeGreaterThanOrEqual(199)

  // Over HTTP: health lists the statuses at the limit, and the dashboard shows them as "10000+".
  const served = await serveFetchHandler(createHandler(jobs, { auth: 'none' }))
  try {
    const health = (await (await fetch(`${served.url}/health`)).json()) as Record<string, unknown>
    expect(health).toMatchObject({ ok: false, countsAtLimit: ['completed', 'failed', 'cancelled'], stuck: 5 })
    expect(health.counts).toMatchObject({ pending: 300, processing: 20, completed: 10_000 })
    const page = await (await fetch(`${served.url}/dashboard`)).text()
    expect(page).toContain(
      'data-stat="completed"><div class="label">completed</div><div class="value">10000+</div>',
    )
    expect(page).toContain('data-stat="pending"><div class="label">pending</div><div class="value">300</div>')
  } finally {
    await served.close()
  }
})

test('below the limit every count is exact and no status is listed at the limit', async () => {
  const small = createTestDatabase('health_exact')
  const other = await small
  const few = createJobs({ db: other.url, jobs: definitions })
  try {
    await few.migrate()
    await few.enqueue('noop', {})
    await few.executor.query(
      `insert into nightshift.jobs (type, status, updated_at) values ('noop', 'completed', now()), ('noop', 'failed', now()), ('noop', 'cancelled', now() - interval '2 hours')`,
    )
    const stats = await few.stats()
    expect(stats.counts).toEqual({ pending: 1, processing: 0, completed: 1, failed: 1, cancelled: 1 })
    expect(stats.countsAtLimit).toEqual([])
    expect(stats.failedLastHour).toBe(1)
  } finally {
    await few.close()
    await other.drop()
  }
})
