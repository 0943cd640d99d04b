// The booking app's queue, shared by every function of this project. Each function is its own isolate,
// so each opens its own two connections (SUPABASE_DB_URL, or NIGHTSHIFT_DB_URL to choose the transaction
// pooler) and closes them when the runtime unloads it.
import { databaseUrlFromEnv, functionEnv, type ServeJobsOptions } from '@nightshift/adapter-supabase'
import {
  bookingDependencies,
  bookingJobs,
  type NotificationQueue,
  readBookingConfig,
} from '@nightshift/example-booking'
import { createJobs } from '@nightshift/jobs-core'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: databaseUrlFromEnv(functionEnv()), max: 2 })
// An idle connection the pooler drops must not crash the isolate.
pool.on('error', () => {})

// The jobs enqueue notifications into the queue they belong to, made just below.
let queue: NotificationQueue | undefined
const deps = bookingDependencies({
  db: pool,
  config: readBookingConfig(Deno.env.toObject()),
  queue: () => queue as NotificationQueue,
})

/** The booking jobs on this function's pool: no prepared statements, which a transaction pooler cannot keep. */
export const jobs = createJobs({ db: pool, jobs: bookingJobs(deps), preparedStatements: false })
queue = jobs as unknown as NotificationQueue

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
