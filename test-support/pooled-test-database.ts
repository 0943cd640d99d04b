import { type RunningPgBouncer, startPgBouncer } from './start-pgbouncer.js'
import { createTestDatabase, type TestDatabase } from './test-database.js'

/** A database of one test file's own with a PgBouncer in transaction mode in front of it. */
export interface PooledTestDatabase extends TestDatabase {
  /** The pooler: `pgbouncer.url` reaches this database through it, `urlFor` any other of the server. */
  pgbouncer: RunningPgBouncer
  /** Stops the pooler, then drops the database. */
  drop(): Promise<void>
}

/**
 * Creates a fresh database (as `createTestDatabase`) and starts PgBouncer in transaction mode in front
 * of it, as Supabase's pooler on 6543 is; `url` stays the direct connection, for the test's own reads.
 *
 * @example
 * const db = await createPooledTestDatabase('pooled')
 * afterAll(() => db.drop())
 * const jobs = createJobs({ db: db.pgbouncer.url, jobs })
 */
export async function createPooledTestDatabase(label: string): Promise<PooledTestDatabase> {
  const database = await createTestDatabase(label)
  let pgbouncer: RunningPgBouncer
  try {
    pgbouncer = await startPgBouncer(database.url)
  } catch (error) {
    await database.drop()
    throw error
  }
  return {
    ...database,
    pgbouncer,
    async drop() {
      await pgbouncer.stop()
      await database.drop()
    },
  }
}
