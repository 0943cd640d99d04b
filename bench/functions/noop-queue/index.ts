// The benchmark's no-op job as a Supabase Edge Function: POST /noop-queue {"limit":1000} drains it.
import { serveJobs } from '@nightshift/adapter-supabase'
import { defineJob } from '@nightshift/jobs-core'
import { z } from 'zod'

const noopJob = defineJob({ name: 'noop', input: z.object({ t: z.number() }), run: async () => {} })

Deno.serve(serveJobs([noopJob], { queueRoute: 'noop-queue', auth: 'none' }))
