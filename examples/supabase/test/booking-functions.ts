import { migrateBooking } from '@nightshift/example-booking'
import { createJobs } from '@nightshift/jobs-core'
import pg from 'pg'
import { type DenoFunction, startDenoFunction } from '../../../test-support/deno-function.js'
import { startFunctionsGateway } from '../../../test-support/functions-gateway.js'
import { startPgBouncer } from '../../../test-support/start-pgbouncer.js'
import { createTestDatabase } from '../../../test-support/test-database.js'

/** The project's functions, each its own folder under supabase/functions. */
export const functionNames = [
  'generate-t5-invoices',
  'generate-monthly-invoices',
  'run-escalation-orchestration',
  'escalate-overdue-bookings',
  'schedule-create-zoom',
  'notification-worker',
  'nightshift',
] as const

/** The secrets the original setup uses, as `supabase secrets set` gives them to the functions. */
export const secrets = {
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-functions-0123456789',
  CRON_SECRET: 'cron-secret-functions-0123456789',
  SCHEDULER_SECRET_TOKEN: 'scheduler-token-functions-0123456789',
}

/** The name of one of the project's functions. */
export type FunctionName = (typeof functionNames)[number]

/**
 * The example project served as Supabase would, on a database that already holds nightshift's and the
 * booking app's tables (however they got there: `supabase db push` or the migrators): PgBouncer in
 * transaction mode in front of it (Supavisor's 6543), each function in `names` in its own real Deno
 * process with `SUPABASE_DB_URL` through the pooler, and the gateway at `/functions/v1`. `close()`
 * stops them and leaves the database as it is. `extraEnv` adds function secrets (e.g.
 * `SCHEDULER_SECRET_HEADER`); `env` is what the functions got.
 *
 * @example
 * const served = await serveBookingFunctions(new URL(cluster.url()), ['generate-t5-invoices'])
 */
export async function serveBookingFunctions(
  database: URL,
  names: readonly FunctionName[] = functionNames,
  extraEnv: Record<string, string> = {},
) {
  const pool = new pg.Pool({ connectionString: database.toString(), max: 2 })
  const pgbouncer = await startPgBouncer(database)
  const env = {
    ...secrets,
    SUPABASE_DB_URL: pgbouncer.url,
    BOOKING_DELIVERY: 'outbox',
    ...extraEnv,
  }
  const functions: DenoFunction[] = await Promise.all(
    names.map((name) =>
      startDenoFunction(`examples/supabase/supabase/functions/${name}/index.ts`, env, {
        config: 'examples/supabase/supabase/functions/deno.json',
      }),
    ),
  )
  const gateway = await startFunctionsGateway(
    Object.fromEntries(names.map((name, index) => [name, functions[index]?.url as string])),
  )
  return {
    /** Straight to the database (not through the pooler), for the test's own reads and writes. */
    pool,
    gateway,
    functions,
    env,
    async close() {
      await Promise.all(functions.map((fn) => fn.kill()))
      await gateway.close()
      await pool.end()
      await pgbouncer.stop()
    },
  }
}

/**
 * A fresh database set up by the migrators (what the project's migrations hold: nightshift's tables and
 * the booking schema), with every function served on it; `close()` drops the database too.
 */
export async function startBookingFunctions(label: string, extraEnv: Record<string, string> = {}) {
  const database = await createTestDatabase(label)
  const setup = new pg.Pool({ connectionString: database.url, max: 2 })
  try {
    const jobs = createJobs({ db: setup, jobs: [] })
    await jobs.migrate()
    await migrateBooking(setup)
    await jobs.close()
  } finally {
    await setup.end()
  }
  const served = await serveBookingFunctions(new URL(database.url), functionNames, extraEnv)
  return {
    ...served,
    async close() {
      await served.close()
      await database.drop()
    },
  }
}
