// A function whose deadline (300 ms) is shorter than its job (1.5 s): the caller is answered `running`.
import { serveJobs } from '@nightshift/adapter-supabase'
import { defineJob } from '@nightshift/jobs-core'

declare const Deno: { serve(handler: (request: Request) => Promise<Response>): unknown }

const longJob = defineJob({
  name: 'long-job',
  run: async (_input, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    return { attempt: ctx.attempt }
  },
})

Deno.serve(serveJobs([longJob], { deadlineMs: 300 }))
