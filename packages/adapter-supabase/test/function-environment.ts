import { createJobs } from '@nightshift/jobs-core'
import { contractJobs } from '@nightshift/jobs-core/testing'
import pg from 'pg'
import { startDenoFunction } from '../../../test-support/deno-function.js'
import { startFunctionsGateway } from '../../../test-support/functions-gateway.js'
import { createPooledTestDatabase } from '../../../test-support/pooled-test-database.js'

/** The function's secrets, as `supabase secrets set` would give them. */
export const secrets = {
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-deno-0123456789',
  CRON_SECRET: 'cron-secret-deno-0123456789',
  NIGHTSHIFT_SIGNING_KEY: 'signing-key-deno-0123456789',
}

export const contractFunction = 'packages/adapter-supabase/test/functions/nightshift/index.ts'
export const functionsConfig = 'packages/adapter-supabase/test/functions/deno.json'

/**
 * A database with nightshift's tables (and an `effects` table), a PgBouncer in transaction mode in
 * front of it, the contract's function served by real Deno with `SUPABASE_DB_URL` through the pooler,
 * and a gateway that serves it as `nightshift` (every job under it) and as `contract-echo`,
 * `slow-job` and `process-queue` (one job each).
 */
export async function startContractFunction(label: string) {
  const database = await createPooledTestDatabase(label)
  const jobs = createJobs({ db: database.url, jobs: contractJobs() })
  await jobs.migrate()
  await jobs.close()
  const admin = new pg.Pool({ connectionString: database.url, max: 2 })
  await admin.query(
    'create table effects (id serial primary key, job_id bigint not null, what text not null)',
  )
  const env = {
    ...secrets,
    SUPABASE_DB_URL: database.pgbouncer.url,
    EFFECTS_DB_URL: database.pgbouncer.url,
  }
  const start = () => startDenoFunction(contractFunction, env, { config: functionsConfig })
  let fn = await start()
  const names = ['nightshift', 'contract-echo', 'slow-job', 'process-queue']
  const gateway = await startFunctionsGateway(Object.fromEntries(names.map((name) => [name, fn.url])))
  return {
    database,
    admin,
    gateway,
    env,
    get fn() {
      return fn
    },
    /** Kills the function's Deno process (SIGKILL) and starts a new one behind the same names. */
    async restart() {
      await fn.kill()
      fn = await start()
      for (const name of names) gateway.route(name, fn.url)
    },
    async close() {
      await fn.kill()
      await gateway.close()
      await admin.end()
      await database.drop()
    },
  }
}
