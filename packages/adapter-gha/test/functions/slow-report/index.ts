// A Supabase function whose job (1.5 s) outlives the function's deadline (300 ms): the caller is
// answered `202 running` and reads the job through GET /slow-report/jobs/<id>. The service role key
// reaches everything; CRON_SECRET reaches the job and its status (scope `jobs`); SCHEDULER_SECRET_TOKEN
// reaches the job only, so it can start the job but not read it; NIGHTSHIFT_SIGNING_KEY (signed
// requests) reaches everything.
import { serveJobs } from '@nightshift/adapter-supabase'
import { defineJob } from '@nightshift/jobs-core'

declare const Deno: { serve(handler: (request: Request) => Promise<Response>): unknown }

const slowReport = defineJob({
  name: 'slow-report',
  run: async (_input, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    return { rows: 3, attempt: ctx.attempt }
  },
})

Deno.serve(
  serveJobs([slowReport], {
    deadlineMs: 300,
    scopes: { CRON_SECRET: ['slow-report', 'jobs'], SCHEDULER_SECRET_TOKEN: ['slow-report'] },
  }),
)
