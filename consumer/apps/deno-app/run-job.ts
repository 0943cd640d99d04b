// An app run by real Deno (Supabase's Edge runtime) on the packed packages, resolved from its own
// node_modules (deno.json: nodeModulesDir "manual"): a job run through process(), and the same job
// over HTTP through the Supabase adapter's serveJobs on Deno.serve.
import { serveJobs } from '@nightshift/adapter-supabase'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import { z } from 'zod'

const greet = defineJob({
  name: 'greet',
  input: z.object({ name: z.string() }),
  run: ({ name }) => ({ greeting: `hello ${name}` }),
})

const databaseUrl = Deno.env.get('SUPABASE_DB_URL')
const serviceRoleKey = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')
if (!databaseUrl || !serviceRoleKey)
  throw new Error('SUPABASE_DB_URL and SUPABASE_SERVICE_ROLE_KEY must be set')

const jobs = createJobs({ db: databaseUrl, jobs: [greet] })
await jobs.migrate()
const { id } = await jobs.enqueue('greet', { name: 'deno' })
const report = await jobs.process({ limit: 10, deadlineMs: 30_000 })

const stop = new AbortController()
const { promise: listening, resolve: listened } = Promise.withResolvers<number>()
const server = Deno.serve(
  { hostname: '127.0.0.1', port: 0, signal: stop.signal, onListen: ({ port }) => listened(port) },
  serveJobs(jobs, { close: async () => {} }),
)
const response = await fetch(`http://127.0.0.1:${await listening}/greet`, {
  method: 'POST',
  headers: { authorization: `Bearer ${serviceRoleKey}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'edge function' }),
})
const overHttp = await response.json()
stop.abort()
await server.finished
await jobs.close()

console.log(
  JSON.stringify({
    deno: Deno.version.deno,
    jobId: id,
    report: { claimed: report.claimed, completed: report.completed },
    overHttp: { status: response.status, ok: overHttp.ok, jobStatus: overHttp.status, jobId: overHttp.jobId },
  }),
)
