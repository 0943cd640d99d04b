import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { z } from 'zod'

/** How the races of `raceStaleRuns` ended. */
export interface RaceTally {
  /** Runs where the stale run (A) committed first: the fresh worker (B) found nothing to run. */
  staleCommittedFirst: number
  /** Runs where B re-ran the job and A's transaction was rolled back (its fence matched no row). */
  staleRolledBack: number
  /** Jobs whose app table has a number of rows other than one (must stay empty). */
  wrong: { jobId: string; rows: number; status: string | undefined }[]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `iterations` races on a migrated queue at `queueUrl`: worker A (its own `createJobs`) claims a
 * job and, inside `ctx.transaction`, inserts one row into `effects` (no unique key: a duplicate would
 * show), then waits. The job's lease is made to expire (`locked_until` moved into the past, what the
 * clock does to a run whose heartbeat does not land in time) and worker B (another `createJobs`, other
 * connections) runs `process()`, which reaps the lease and re-runs the job, while A is let go after a
 * random delay. Afterwards each job must have exactly one row in `effects` and be `completed`.
 * `directUrl` reaches the same database without any pooler, for the test's own reads and writes.
 */
export async function raceStaleRuns(
  queueUrl: string,
  directUrl: string,
  iterations: number,
): Promise<RaceTally> {
  const direct = new pg.Pool({ connectionString: directUrl, max: 2 })
  const waiting = new Map<string, { inserted: () => void; proceed: Promise<void> }>()
  const bill = (worker: 'a' | 'b') =>
    defineJob({
      name: 'bill',
      input: z.object({ n: z.number() }),
      run: (_input, ctx) =>
        ctx.transaction(async (tx) => {
          await tx.query('insert into effects (job_id, worker) values ($1, $2)', [ctx.jobId, worker])
          const hold = worker === 'a' ? waiting.get(ctx.jobId) : undefined
          if (hold) {
            hold.inserted()
            await hold.proceed
          }
          return { by: worker }
        }),
    })
  const a = createJobs({ db: queueUrl, jobs: [bill('a')], maxConnections: 4 })
  const b = createJobs({ db: queueUrl, jobs: [bill('b')], maxConnections: 4 })
  const tally: RaceTally = { staleCommittedFirst: 0, staleRolledBack: 0, wrong: [] }
  try {
    await a.migrate()
    await direct.query('create table if not exists effects (job_id bigint not null, worker text not null)')
    for (let n = 0; n < iterations; n++) {
      const { id } = await a.enqueue('bill', { n })
      let inserted!: () => void
      let proceed!: () => void
      const insertedSeen = new Promise<void>((resolve) => {
        inserted = resolve
      })
      waiting.set(id, { inserted, proceed: new Promise<void>((resolve) => (proceed = resolve)) })
      const runA = a.process({ limit: 1 })
      await insertedSeen
      // The lease runs out while A's transaction is open.
      await direct.query(
        `update nightshift.jobs set locked_until = now() - interval '1 millisecond' where id = $1`,
        [id],
      )
      const [reportA, reportB] = await Promise.all([
        runA,
        sleep(Math.random() * 15).then(() => b.process({ limit: 1 })),
        sleep(Math.random() * 15).then(() => proceed()),
      ])
      // A stale run whose fence found the row reaped may still hold the row's lock (its UPDATE's
      // recheck locks the row it then rejects) until it rolls back, so B's claim (SKIP LOCKED) can pass
      // the job by: then it is simply still due. Drain it, as the next process() would.
      let completions = reportA.completed + reportB.completed
      for (let drain = 0; drain < 50 && (await a.getJob(id))?.status === 'pending'; drain++)
        completions += (await b.process({ limit: 1 })).completed
      const { rows } = await direct.query<{ worker: string }>(
        'select worker from effects where job_id = $1',
        [id],
      )
      const job = await a.getJob(id)
      if (rows.length !== 1 || job?.status !== 'completed' || completions !== 1)
        tally.wrong.push({ jobId: id, rows: rows.length, status: job?.status })
      else if (rows[0]?.worker === 'a') tally.staleCommittedFirst++
      else tally.staleRolledBack++
      waiting.delete(id)
    }
  } finally {
    await a.close()
    await b.close()
    await direct.end()
  }
  return tally
}
