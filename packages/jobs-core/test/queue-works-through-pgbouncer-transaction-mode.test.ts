import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import {
  createPooledTestDatabase,
  type PooledTestDatabase,
} from '../../../test-support/pooled-test-database.js'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let db: PooledTestDatabase
beforeAll(async () => {
  if (!missing) db = await createPooledTestDatabase('pgbouncer')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.skipIf(missing)(
  'migrate, enqueue, 3 polling workers and process() through PgBouncer in transaction mode run every job once',
  async () => {
    const url = db.pgbouncer.url
    // Runs are recorded over a direct connection, outside the pooler under test.
    const direct = new pg.Pool({ connectionString: db.url, max: 4 })
    await direct.query('create table runs (job_id bigint not null, via text not null)')
    const record = (via: string) =>
      defineJob({
        name: 'record-run',
        input: z.object({ n: z.number() }),
        run: async (_input, ctx) => {
          await direct.query('insert into runs (job_id, via) values ($1, $2)', [ctx.jobId, via])
        },
      })
    const queues = ['a', 'b', 'c', 'process'].map((via) =>
      createJobs({ db: url, jobs: [record(via)], maxConnections: 4, leaseMs: 30_000 }),
    )
    try {
      // Several processes' worth of migrate at once, through the pooler.
      await Promise.all(queues.map((jobs) => jobs.migrate()))
      const [first] = queues as [(typeof queues)[0]]
      const items = Array.from({ length: 600 }, (_, n) => ({ name: 'record-run' as const, input: { n } }))
      await first.enqueueMany(items.slice(0, 300))
      for (const item of items.slice(300)) await first.enqueue(item.name, item.input)
      const workers = queues
        .slice(0, 3)
        .map((jobs) => jobs.worker({ listen: false, pollIntervalMs: 20, concurrency: 5 }))
      const processor = queues[3] as (typeof queues)[0]
      for (let i = 0; i < 600; i++) {
        await processor.process({ limit: 20 })
        const { counts } = await first.stats()
        if (counts.pending === 0 && counts.processing === 0) break
        await sleep(50)
      }
      await Promise.all(workers.map((worker) => worker.stop()))
      const runs = await direct.query<{ total: number; distinct: number; vias: number }>(
        'select count(*)::int as total, count(distinct job_id)::int as distinct, count(distinct via)::int as vias from runs',
      )
      expect(runs.rows[0]).toMatchObject({ total: 600, distinct: 600 })
      expect(runs.rows[0]?.vias).toBeGreaterThan(1)
      expect((await first.stats()).counts).toMatchObject({
        completed: 600,
        pending: 0,
        processing: 0,
        failed: 0,
      })
    } finally {
      await Promise.all(queues.map((jobs) => jobs.close()))
      await direct.end()
    }
  },
)
