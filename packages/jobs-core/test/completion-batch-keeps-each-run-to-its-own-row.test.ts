import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { schemaName } from '../src/db/schema-name.js'
import { executorFor } from '../src/db/sql-executor.js'
import { claimJobs } from '../src/queue/claim-jobs.js'
import { completeAndClaimJobs } from '../src/queue/complete-and-claim-jobs.js'
import { completeJobs } from '../src/queue/complete-jobs.js'

let db: TestDatabase
let pool: pg.Pool
beforeAll(async () => {
  db = await createTestDatabase('completion_batch')
  pool = new pg.Pool({ connectionString: db.url })
})
afterAll(async () => {
  await pool?.end()
  await db?.drop()
})

const echo = defineJob({ name: 'echo', input: z.object({ n: z.number() }), run: async () => {} })
const schema = schemaName('completion_batch')
const claim = (workerId: string, limit: number) =>
  claimJobs(executorFor(pool), schema, {
    workerId,
    limit,
    leaseMs: 60_000,
    names: ['echo'],
    queues: undefined,
  })

// One statement completes a whole batch; each row must get its own result and be fenced by its own
// run token, in whatever order the batch arrives and with ids of different lengths (9 < 10 as numbers,
// not as text).
test('a batch of completions gives each row its own result and completes only runs still held', async () => {
  const jobs = createJobs({ db: db.url, jobs: [echo], schema: 'completion_batch' })
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: 12 }, (_, n) => ({ name: 'echo' as const, input: { n } })))
    const claimed = await claim('w1', 12)
    expect(claimed).toHaveLength(12)
    const stale = claimed[3]
    if (!stale) throw new Error('no job claimed')
    // Another claim would have given the row a new run number: this run is no longer held.
    await pool.query('update completion_batch.jobs set runs = runs + 1 where id = $1', [stale.id])
    const batch = [...claimed].reverse().map((job) => ({
      id: job.id,
      token: job.run,
      result: JSON.stringify({ id: job.id }),
    }))
    const done = await completeJobs(executorFor(pool), schema, 'w1', batch)
    expect(done.map((run) => run.id).sort()).toEqual(
      claimed
        .filter((job) => job.id !== stale.id)
        .map((job) => job.id)
        .sort(),
    )
    const rows = await pool.query<{ id: string; status: string; result: unknown }>(
      'select id, status, result from completion_batch.jobs order by id',
    )
    for (const row of rows.rows) {
      if (row.id === stale.id) expect(row).toMatchObject({ status: 'processing', result: null })
      else expect(row).toMatchObject({ status: 'completed', result: { id: row.id } })
    }
  } finally {
    await jobs.close()
  }
})

// After an outage longer than the lease, one worker can hold a newer run of a job whose older run is
// still finishing; both can end up in the same batch. The newer run must complete, the older must not.
test('two runs of one job in one batch: the newer run completes, the older is refused', async () => {
  const jobs = createJobs({ db: db.url, jobs: [echo], schema: 'completion_batch' })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('echo', { n: 1 })
    const [first] = await claim('w2', 1)
    expect(first?.id).toBe(id)
    // The reaper hands the job back after the lease expired; the same worker claims it again.
    await pool.query(
      `update completion_batch.jobs set status = 'pending', locked_by = null, locked_until = null where id = $1`,
      [id],
    )
    const [second] = await claim('w2', 1)
    expect(second).toMatchObject({ id, attempts: 2 })
    if (!first || !second) throw new Error('no job claimed')
    expect(second.run).not.toBe(first.run)
    const done = await completeJobs(executorFor(pool), schema, 'w2', [
      { id, token: second.run, result: JSON.stringify('newer') },
      { id, token: first.run, result: JSON.stringify('older') },
    ])
    expect(done).toEqual([{ id, token: second.run }])
    expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', result: 'newer', attempts: 2 })
  } finally {
    await jobs.close()
  }
})

// The statement that completes a batch also claims the next jobs; both come back as rows of one shape
// (a completed run has no type). Each side must come back whole whether the other is empty or not.
test('completing and claiming in one statement returns each completed run and each claimed job once', async () => {
  const jobs = createJobs({ db: db.url, jobs: [echo], schema: 'completion_batch' })
  const options = (limit: number) => ({
    workerId: 'w3',
    limit,
    leaseMs: 60_000,
    names: ['echo'],
    queues: undefined,
  })
  try {
    await jobs.migrate()
    await pool.query('delete from completion_batch.jobs')
    await jobs.enqueueMany(Array.from({ length: 7 }, (_, n) => ({ name: 'echo' as const, input: { n } })))
    const held = await claimJobs(executorFor(pool), schema, options(4))
    const stale = held[0]
    if (!stale) throw new Error('no job claimed')
    await pool.query('update completion_batch.jobs set runs = runs + 1 where id = $1', [stale.id])
    const runs = held.map((job) => ({ id: job.id, token: job.run, result: null }))

    const first = await completeAndClaimJobs(executorFor(pool), schema, 'w3', runs, options(2))
    expect(first.completed.map((run) => run.id).sort()).toEqual(
      held
        .slice(1)
        .map((job) => job.id)
        .sort(),
    )
    expect(first.completed).toEqual(
      expect.arrayContaining(held.slice(1).map((job) => ({ id: job.id, token: job.run }))),
    )
    expect(first.claimed).toHaveLength(2)
    for (const job of first.claimed) {
      expect(job).toEqual({
        id: expect.any(String),
        type: 'echo',
        payload: { n: expect.any(Number) },
        attempts: 1,
        run: expect.any(String),
        max_attempts: 5,
        idempotency_key: null,
      })
      expect(held.map((run) => run.id)).not.toContain(job.id)
    }

    // Nothing of this worker's left to complete; one job left to claim (asked for 5).
    const second = await completeAndClaimJobs(
      executorFor(pool),
      schema,
      'w3',
      [runs[0] as (typeof runs)[0]],
      options(5),
    )
    expect(second.completed).toEqual([])
    expect(second.claimed).toHaveLength(1)

    // Runs to complete; nothing left to claim.
    const last = [...first.claimed, ...second.claimed].map((job) => ({
      id: job.id,
      token: job.run,
      result: null,
    }))
    const third = await completeAndClaimJobs(executorFor(pool), schema, 'w3', last, options(5))
    expect(third.completed.map((run) => run.id).sort()).toEqual(last.map((run) => run.id).sort())
    expect(third.claimed).toEqual([])
    const { rows } = await pool.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from completion_batch.jobs group by status order by status',
    )
    expect(rows).toEqual([
      { status: 'completed', n: 6 },
      { status: 'processing', n: 1 },
    ])
  } finally {
    await jobs.close()
  }
})
