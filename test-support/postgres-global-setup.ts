import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin connection string of the PostgreSQL that every test file creates its own database in. */
    adminDatabaseUrl: string
  }
}

const defaultUrl = 'postgres://postgres@127.0.0.1:5432/postgres'

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Finds the PostgreSQL the tests use: `DATABASE_URL`, else the local default, else (a fresh laptop
 * with no PostgreSQL) an embedded real one started for this run and removed after it.
 * `NIGHTSHIFT_TEST_EMBEDDED_POSTGRES=1` takes the embedded path even where a PostgreSQL answers, to
 * run the suite as a fresh laptop does.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = process.env.DATABASE_URL ?? defaultUrl
  const forceEmbedded = process.env.NIGHTSHIFT_TEST_EMBEDDED_POSTGRES === '1'
  if (!forceEmbedded && (await answers(wanted))) {
    project.provide('adminDatabaseUrl', wanted)
    return async () => {}
  }
  if (!forceEmbedded && process.env.DATABASE_URL) {
    throw new Error('DATABASE_URL is set but no PostgreSQL answers there')
  }
  // Loaded only here: a run against a PostgreSQL that answers never touches the embedded one.
  const { startEmbeddedPostgres } = await import('@nightshift/example-quickstart/embedded-postgres-server')
  const server = await startEmbeddedPostgres({
    dataDir: await mkdtemp(join(tmpdir(), 'nightshift-test-pg-')),
    temporary: true,
    // Trust on loopback, as the machine PostgreSQL the tests otherwise use: tests log in as roles
    // they create (without passwords), and PgBouncer passes no password on.
    authMethod: 'trust',
  })
  project.provide('adminDatabaseUrl', `postgres://postgres@127.0.0.1:${server.port}/postgres`)
  return () => server.stop()
}
