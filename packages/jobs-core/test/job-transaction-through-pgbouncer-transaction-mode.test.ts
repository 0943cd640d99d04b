import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  createPooledTestDatabase,
  type PooledTestDatabase,
} from '../../../test-support/pooled-test-database.js'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { createTestDatabase } from '../../../test-support/test-database.js'
import { killInsideTransaction } from './kill-inside-transaction.js'
import { raceStaleRuns } from './stale-run-race.js'

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let db: PooledTestDatabase
beforeAll(async () => {
  if (!missing) db = await createPooledTestDatabase('pgbouncer_tx')
})
afterAll(() => db?.drop())

test.skipIf(missing)(
  'through PgBouncer in transaction mode: a run whose lease expires inside ctx.transaction lands nothing when another worker re-ran the job, 200 times',
  async () => {
    const tally = await raceStaleRuns(db.pgbouncer.url, db.url, 200)
    expect(tally.wrong).toEqual([])
    expect(tally.staleRolledBack).toBeGreaterThan(0)
    expect(tally.staleCommittedFirst + tally.staleRolledBack).toBe(200)
    console.info('stale-run races through PgBouncer:', tally)
  },
  120_000,
)

test.skipIf(missing)(
  'through PgBouncer in transaction mode: fn that throws rolls back, the retry commits one set of writes with the completion',
  async () => {
    const direct = new pg.Pool({ connectionString: db.url, max: 2 })
    const flaky = defineJob({
      name: 'flaky',
      backoff: { baseMs: 1, maxMs: 1 },
      run: (_input, ctx) =>
        ctx.transaction(async (tx) => {
          await tx.query('insert into flaky_effects (job_id, attempt) values ($1, $2)', [
            ctx.jobId,
            ctx.attempt,
          ])
          if (ctx.attempt === 1) throw new Error('first attempt fails')
          return { attempt: ctx.attempt }
        }),
    })
    const jobs = createJobs({ db: db.pgbouncer.url, jobs: [flaky], maxConnections: 4 })
    try {
      await jobs.migrate()
      await direct.query('create table flaky_effects (job_id bigint not null, attempt int not null)')
      const { id } = await jobs.enqueue('flaky', {})
      expect(await jobs.process({ limit: 1 })).toMatchObject({ completed: 0, retried: 1 })
      let completed = 0
      for (let i = 0; i < 100 && completed === 0; i++) {
        completed = (await jobs.process({ limit: 1 })).completed
        if (completed === 0) await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(await jobs.getJob(id)).toMatchObject({
        status: 'completed',
        attempts: 2,
        result: { attempt: 2 },
      })
      const { rows } = await direct.query('select attempt from flaky_effects where job_id = $1', [id])
      expect(rows).toEqual([{ attempt: 2 }])
    } finally {
      await jobs.close()
      await direct.end()
    }
  },
)

test.skipIf(missing)(
  'through PgBouncer in transaction mode: kill -9 inside ctx.transaction lands nothing, the rerun lands one set of writes',
  async () => {
    const crashDb = await createTestDatabase('pgbouncer_crash_tx')
    try {
      const seen = await killInsideTransaction(db.pgbouncer.urlFor(crashDb.name), crashDb.url)
      expect(seen.markerPid).toBe(seen.childPid)
      expect(seen.effectsWhileHanging).toEqual([])
      expect(seen.statusWhileHanging).toBe('processing')
      expect(seen.effectsAfterKill).toEqual([])
      expect(seen.job).toMatchObject({ status: 'completed', attempts: 2, result: { pid: seen.pid } })
      expect(seen.effectsAfterRerun).toEqual([seen.pid])
    } finally {
      await crashDb.drop()
    }
  },
)
