import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { z } from 'zod'
import { runSql, withFreshDatabase } from './bench-database.js'
import { nowMs } from './bench-library.js'
import type { Measurement, Sizes } from './workloads.js'

/** How the handler writes its one row. */
type Variant = 'plain' | 'transaction'

const input = z.object({ n: z.number() })

/**
 * The handler that inserts one row, both ways: `plain` inserts on the app's own pool and returns (the
 * worker then completes the job on its own, in its batched group commits); `transaction` inserts on
 * `ctx.transaction`'s `tx`, and the job's completion is written and committed in that same transaction.
 */
function insertJob(variant: Variant, app: pg.Pool) {
  return defineJob({
    name: 'insert-one',
    input,
    run: (job, ctx) =>
      variant === 'plain'
        ? app.query('insert into effects (job_id, n) values ($1, $2)', [ctx.jobId, job.n]).then(() => null)
        : ctx.transaction((tx) =>
            tx.query('insert into effects (job_id, n) values ($1, $2)', [ctx.jobId, job.n]).then(() => null),
          ),
  })
}

/** Polls until no job is due or running; returns when the poll that first saw none began. */
async function untilDrained(client: pg.Client): Promise<number> {
  for (;;) {
    const polledAt = nowMs()
    // Each arm matches a partial index, so the poll reads no finished rows.
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from nightshift.jobs
       where (status = 'pending' and scheduled_for <= now()) or (status = 'processing' and scheduled_for <= now())`,
    )
    if (rows[0]?.n === 0) return polledAt
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/** One variant on a fresh database: `count` jobs queued, one in-process worker with 10 in flight. */
async function insertOneRow(variant: Variant, count: number): Promise<number> {
  return withFreshDatabase(`nightshift_tx_${variant}`, async (url) => {
    // 20 connections either way. plain: 10 for the queue, 10 for the app's inserts. transaction: all 20
    // for the queue, whose pool also holds the 10 open transactions (docs/guarantees.md: give the pool
    // more connections than jobs run at once, or claims and heartbeats wait for one).
    const app = new pg.Pool({ connectionString: url, max: 10 })
    const jobs = createJobs({
      db: url,
      jobs: [insertJob(variant, app)],
      maxConnections: variant === 'plain' ? 10 : 20,
    })
    const poll = new pg.Client({ connectionString: url })
    try {
      await jobs.migrate()
      await runSql(url, 'create table effects (job_id bigint not null, n integer not null)')
      for (let start = 0; start < count; start += 10_000) {
        const size = Math.min(10_000, count - start)
        await jobs.enqueueMany(
          Array.from({ length: size }, (_, i) => ({ name: 'insert-one' as const, input: { n: start + i } })),
        )
      }
      await runSql(url, 'vacuum analyze')
      await poll.connect()
      const started = nowMs()
      const worker = jobs.worker({ concurrency: 10 })
      const ms = (await untilDrained(poll)) - started
      await worker.stop()
      const [row] = await runSql<{ n: number }>(url, 'select count(*)::int as n from effects')
      if (row?.n !== count) throw new Error(`insert-one ${variant}: ${row?.n} rows for ${count} jobs`)
      return (count / ms) * 1000
    } finally {
      await poll.end().catch(() => {})
      await jobs.close()
      await app.end()
    }
  })
}

/**
 * nightshift only: jobs per second of a handler that inserts one row, plain (its own insert, then the
 * worker's batched completion) and through `ctx.transaction` (the insert and the completion in one
 * commit per job), on the same machine one after the other, and their ratio. Jobs: a fifth of the
 * throughput size (20,000 in a full run). In-process, like `drain in-process`: the figure is the pair's
 * ratio, not a peer comparison.
 */
export async function transactionWorkload(sizes: Sizes, run: number): Promise<Measurement[]> {
  const count = Math.max(1, Math.round(sizes.throughput / 5))
  // Alternate which goes first from run to run, so that neither always meets the warmer server.
  const order: Variant[] = run % 2 === 0 ? ['plain', 'transaction'] : ['transaction', 'plain']
  const rates = new Map<Variant, number>()
  for (const variant of order) rates.set(variant, await insertOneRow(variant, count))
  const plain = rates.get('plain') ?? Number.NaN
  const transaction = rates.get('transaction') ?? Number.NaN
  return [
    { library: 'nightshift', workload: 'insert-one plain', value: plain, unit: 'jobs/s' },
    { library: 'nightshift', workload: 'insert-one ctx.transaction', value: transaction, unit: 'jobs/s' },
    {
      library: 'nightshift',
      workload: 'insert-one transaction ÷ plain',
      value: transaction / plain,
      unit: 'x',
    },
  ]
}
