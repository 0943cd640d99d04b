import { migrateBooking } from '@nightshift/example-booking'
import { createJobs } from '@nightshift/jobs-core'
import pg from 'pg'
import { startPgBouncer } from '../../../packages/jobs-core/test/start-pgbouncer.js'
import { type DenoFunction, startDenoFunction } from '../../../test-support/deno-function.js'
import { startFunctionsGateway } from '../../../test-support/functions-gateway.js'
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

/**
 * The example project served as Supabase would: a database with nightshift's and the booking app's
 * tables, PgBouncer in transaction mode in front of it (Supavisor's 6543), each function in its own
 * real Deno process with `SUPABASE_DB_URL` through the pooler, and the gateway at `/functions/v1`.
 * `extraEnv` adds function secrets (e.g. `SCHEDULER_SECRET_HEADER`); `env` is what the functions got.
 */
export async function startBookingFunctions(label: string, extraEnv: Record<string, string> = {}) {
  const database = await createTestDatabase(label)
  const pool = new pg.Pool({ connectionString: database.url, max: 2 })
  // What the project's migrations hold: nightshift's tables and the booking schema.
  const setup = createJobs({ db: pool, jobs: [] })
  await setup.migrate()
  await migrateBooking(pool)
  await setup.close()
  const pgbouncer = await startPgBouncer(new URL(database.url))
  const env = {
    ...secrets,
    SUPABASE_DB_URL: pgbouncer.urlFor(database.name),
    BOOKING_DELIVERY: 'outbox',
    ...extraEnv,
  }
  const functions: DenoFunction[] = await Promise.all(
    functionNames.map((name) =>
      startDenoFunction(`examples/supabase/supabase/functions/${name}/index.ts`, env, {
        config: 'examples/supabase/supabase/functions/deno.json',
      }),
    ),
  )
  const gateway = await startFunctionsGateway(
    Object.fromEntries(functionNames.map((name, index) => [name, functions[index]?.url as string])),
  )
  return {
    pool,
    gateway,
    functions,
    env,
    async close() {
      await Promise.all(functions.map((fn) => fn.kill()))
      await gateway.close()
      await pool.end()
      await pgbouncer.stop()
      await database.drop()
    },
  }
}
