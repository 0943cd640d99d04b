import { randomUUID } from 'node:crypto'
import { defineJob } from '@nightshift/jobs-core'
import type pg from 'pg'
import { z } from 'zod'

/**
 * The chaos tests' side tables. `runs` gets a row as each run starts, committed on its own (so a run cut
 * off later still left its row); `effects` gets the job's effect inside `ctx.transaction`, committed with
 * the job's completion. Neither has a unique key: a second effect of one job would show as a second row.
 */
export const effectTablesSql = `
  create schema if not exists chaos;
  create table chaos.runs (job_id bigint not null, run_key uuid not null, pid int not null, started_ms bigint not null);
  create table chaos.effects (job_id bigint not null, run_key uuid not null);
`

/**
 * A job that writes one effect per job the way an invoice job does (docs/guarantees.md): inside
 * `ctx.transaction`, so the effect commits with the completion or not at all. Before that it records
 * the run in `chaos.runs` through `ledger`, and works for a few milliseconds so that kills find runs in
 * flight.
 *
 * @example
 * const jobs = createJobs({ db: url, jobs: [effectJob(ledgerPool)] })
 * await jobs.enqueue('chaos-effect', { n: 1 })
 */
export function effectJob(ledger: pg.Pool, options: { workMs?: number } = {}) {
  const workMs = options.workMs ?? 5
  return defineJob({
    name: 'chaos-effect',
    input: z.object({ n: z.number().int() }),
    run: async (_input, ctx) => {
      const runKey = randomUUID()
      await ledger.query(
        'insert into chaos.runs (job_id, run_key, pid, started_ms) values ($1, $2, $3, $4)',
        [ctx.jobId, runKey, process.pid, Date.now()],
      )
      await new Promise((resolve) => setTimeout(resolve, Math.random() * workMs))
      return ctx.transaction(async (tx) => {
        await tx.query('insert into chaos.effects (job_id, run_key) values ($1, $2)', [ctx.jobId, runKey])
        return { runKey }
      })
    },
  })
}
