// The booking app's queue, shared by every function of this project. Each function is its own isolate,
// so each opens its own two connections to SUPABASE_DB_URL (the transaction pooler, port 6543) and
// closes them when the runtime unloads it.
import { functionEnv, requireEnv, type ServeJobsOptions } from '@nightshift/adapter-supabase'
import {
  bookingDependencies,
  bookingJobs,
  type NotificationQueue,
  readBookingConfig,
} from '@nightshift/example-booking'
import { createJobs, type Jobs } from '@nightshift/jobs-core'
import pg from 'pg'

const env = functionEnv()
const pool = new pg.Pool({
  connectionString: requireEnv(env, 'SUPABASE_DB_URL', 'the database (the transaction pooler, port 6543)'),
  max: 2,
})
// An idle connection the pooler drops must not crash the isolate.
pool.on('error', () => {})

let queue: Jobs | undefined
const deps = bookingDependencies({
  db: pool,
  config: readBookingConfig(Deno.env.toObject()),
  queue: () => queue as unknown as NotificationQueue,
})

/** The booking jobs on this function's pool: no prepared statements, which a transaction pooler cannot keep. */
export const jobs = createJobs({ db: pool, jobs: bookingJobs(deps), preparedStatements: false })
queue = jobs

/**
 * What every function passes to `serveJobs`: the original setup's queue route, the least each secret
 * needs (the service role key reaches everything), and the pool to close on unload.
 */
export const serveOptions: ServeJobsOptions = {
  queueRoute: 'notification-worker',
  scopes: {
    CRON_SECRET: ['run-escalation-orchestration'],
    SCHEDULER_SECRET_TOKEN: ['schedule-create-zoom'],
  },
  close: async () => {
    await jobs.close()
    await pool.end()
  },
}
