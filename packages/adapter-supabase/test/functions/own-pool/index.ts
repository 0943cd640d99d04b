// A function that brings its own pool (the booking example does: its jobs query the app's tables), made
// so it never closes idle connections by itself (idleTimeoutMillis 0): only `beforeunload` closes it.
import { serveJobs } from '@nightshift/adapter-supabase'
import { createJobs } from '@nightshift/jobs-core'
import { contractJobs } from '@nightshift/jobs-core/testing'
import pg from 'pg'

declare const Deno: {
  serve(handler: (request: Request) => Promise<Response>): unknown
  env: { get(name: string): string | undefined }
}

const pool = new pg.Pool({ connectionString: Deno.env.get('SUPABASE_DB_URL'), max: 2, idleTimeoutMillis: 0 })
const jobs = createJobs({ db: pool, jobs: contractJobs(), preparedStatements: false })

Deno.serve(
  serveJobs(jobs, {
    close: async () => {
      await jobs.close()
      await pool.end()
    },
  }),
)
