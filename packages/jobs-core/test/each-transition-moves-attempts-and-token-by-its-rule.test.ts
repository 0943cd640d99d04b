import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { schemaName } from '../src/db/schema-name.js'
import { executorFor } from '../src/db/sql-executor.js'
import { type ClaimedJob, claimJobs, heldJob } from '../src/queue/claim-jobs.js'
import { completeJobs } from '../src/queue/complete-jobs.js'
import { extendLeases } from '../src/queue/extend-leases.js'
import { failJob } from '../src/queue/fail-job.js'
import { cancelJob, retryJob } from '../src/queue/manage-jobs.js'
import { releaseExpiredLeases } from '../src/queue/release-expired-leases.js'
import { releaseJobs } from '../src/queue/release-jobs.js'

let db: TestDatabase
let pool: pg.Pool
beforeAll(async () => {
  db = await createTestDatabase('transitions')
  pool = new pg.Pool({ connectionString: db.url })
})
afterAll(async () => {
  await pool?.end()
  await db?.drop()
})

const noop = defineJob({ name: 'noop', run: () => {} })
const schema = schemaName('transitions')
const worker = 'w1'

// One job through every transition of src/queue/transitions.ts, by one worker: `attempts` moves by
// each transition's rule, every claim gets a token no run had before, and after each new claim every
// write with an older token is refused, though the attempt number and the worker are the same.
test('each transition moves attempts by its rule; tokens never repeat and fence every write of a run', async () => {
  const jobs = createJobs({ db: db.url, jobs: [noop], schema: 'transitions' })
  const executor = executorFor(pool)
  const row = async () =>
    (
      await pool.query<{ status: string; attempts: number; runs: string }>(
        'select status, attempts, runs from transitions.jobs',
      )
    ).rows[0]
  const tokens: string[] = []
  const claim = async (): Promise<ClaimedJob> => {
    const [job] = await claimJobs(executor, schema, {
      workerId: worker,
      limit: 1,
      leaseMs: 60_000,
      names: ['noop'],
      queues: undefined,
    })
    if (!job) throw new Error('nothing claimed')
    expect(tokens).not.toContain(job.run)
    // Every older run of the job, by this same worker, is now refused whatever it writes.
    for (const token of tokens) {
      const old = { id: job.id, token }
      expect(await completeJobs(executor, schema, worker, [{ ...old, result: '"old"' }])).toEqual([])
      expect(await extendLeases(executor, schema, worker, [old], 60_000)).toEqual([])
      expect(await releaseJobs(executor, schema, worker, [old], { delayMs: 0, message: null })).toEqual([])
      expect(
        await failJob(
          executor,
          schema,
          { ...old, workerId: worker, errorMessage: 'old' },
          { kind: 'retry', delayMs: 0 },
        ),
      ).toBeUndefined()
    }
    tokens.push(job.run)
    expect(await row()).toMatchObject({ status: 'processing', runs: job.run })
    return job
  }
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('noop', {})
    expect(await row()).toEqual({ status: 'pending', attempts: 0, runs: '0' })

    // claim: spent. release (a hand-back): given back.
    let job = await claim()
    expect(job.attempts).toBe(1)
    await releaseJobs(executor, schema, worker, [heldJob(job)], { delayMs: 0, message: null })
    expect(await row()).toMatchObject({ status: 'pending', attempts: 0 })

    // snooze: given back.
    job = await claim()
    expect(job.attempts).toBe(1)
    await releaseJobs(executor, schema, worker, [heldJob(job)], {
      delayMs: 0,
      message: null,
      transition: 'snooze',
    })
    expect(await row()).toMatchObject({ status: 'pending', attempts: 0 })

    // expire: kept (the handler may have run).
    job = await claim()
    await pool.query(`update transitions.jobs set locked_until = now() - interval '1 second'`)
    expect(await releaseExpiredLeases(executor, schema)).toHaveLength(1)
    expect(await row()).toMatchObject({ status: 'pending', attempts: 1 })

    // failAndRetry: kept.
    job = await claim()
    expect(job.attempts).toBe(2)
    const held = { ...heldJob(job), workerId: worker, errorMessage: 'boom' }
    expect(await failJob(executor, schema, held, { kind: 'retry', delayMs: 0 })).toBe('pending')
    expect(await row()).toMatchObject({ status: 'pending', attempts: 2 })

    // failFinal: kept; manualRetry: reset.
    job = await claim()
    expect(job.attempts).toBe(3)
    const last = { ...heldJob(job), workerId: worker, errorMessage: 'no' }
    expect(await failJob(executor, schema, last, { kind: 'final', status: 'failed' })).toBe('failed')
    expect(await row()).toMatchObject({ status: 'failed', attempts: 3 })
    await retryJob(executor, schema, id)
    expect(await row()).toMatchObject({ status: 'pending', attempts: 0 })

    // cancel: kept; then retry and claim again: the same attempt number and worker as the cancelled
    // run, a new token (the cancelled run is refused in claim()).
    job = await claim()
    expect(job.attempts).toBe(1)
    expect(await cancelJob(executor, schema, id)).toBe(true)
    expect(await row()).toMatchObject({ status: 'cancelled', attempts: 1 })
    await retryJob(executor, schema, id)
    job = await claim()
    expect(job.attempts).toBe(1)

    // complete: kept.
    expect(await completeJobs(executor, schema, worker, [{ ...heldJob(job), result: '"done"' }])).toEqual([
      heldJob(job),
    ])
    expect(await row()).toMatchObject({ status: 'completed', attempts: 1 })
    expect(new Set(tokens).size).toBe(7)
  } finally {
    await jobs.close()
  }
})
