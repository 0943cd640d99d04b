// One function serving every job of the contract under /nightshift/<job> (and, mapped by the test's
// gateway under other names, as /contract-echo or /process-queue alone), as a deployed function would.
import { serveJobs } from '@nightshift/adapter-supabase'
import { defineJob } from '@nightshift/jobs-core'
import { contractJobs } from '@nightshift/jobs-core/testing'
import pg from 'pg'

declare const Deno: {
  serve(handler: (request: Request) => Promise<Response>): unknown
  env: { get(name: string): string | undefined }
}

/**
 * Records each attempt in `effects` on a connection of its own (so a killed run's row stays) and, on
 * its first attempt, never ends: the test kills the function's process while it runs. A later attempt
 * records `done` inside the job's completion transaction, so a completed run writes it once.
 */
const slowJob = defineJob({
  name: 'slow-job',
  async run(_input, ctx) {
    const db = new pg.Client({ connectionString: Deno.env.get('EFFECTS_DB_URL') })
    await db.connect()
    try {
      await db.query('insert into effects (job_id, what) values ($1, $2)', [
        ctx.jobId,
        `attempt ${ctx.attempt}`,
      ])
    } finally {
      await db.end()
    }
    if (ctx.attempt === 1) await new Promise(() => {})
    return ctx.transaction(async (tx) => {
      await tx.query(`insert into effects (job_id, what) values ($1, 'done')`, [ctx.jobId])
      return { attempt: ctx.attempt }
    })
  },
})

Deno.serve(
  serveJobs([...contractJobs(), slowJob], {
    // The contract's job-scoped token; the service role key and the signing key reach everything.
    scopes: { CRON_SECRET: ['contract-echo'] },
    leaseMs: 1_000,
    deadlineMs: 20_000,
  }),
)
