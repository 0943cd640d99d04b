import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'

/** A database of its own for one test file, dropped by `drop()`. */
export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

/** The admin connection string the global setup found or started. */
export function adminDatabaseUrl(): string {
  return inject('adminDatabaseUrl')
}

export function databaseUrlFor(name: string, base = adminDatabaseUrl()): string {
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

/**
 * Creates a fresh database so that no test file depends on another's leftovers.
 *
 * @example
 * const db = await createTestDatabase('claim')
 * afterAll(() => db.drop())
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `ns_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() })
  await admin.connect()
  try {
    await admin.query(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  return {
    url: databaseUrlFor(name),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminDatabaseUrl() })
      await client.connect()
      try {
        // pg's Pool.end() resolves before its connections have finished closing; forcing the drop at
        // once would terminate them mid-close, and the client emits 57P01 as an uncaught error. Wait
        // (a bounded while) for the test's own sessions to go; force only what is left after that.
        for (let waited = 0; waited < 40; waited++) {
          const { rows } = await client.query<{ n: number }>(
            'select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [name],
          )
          if (rows[0]?.n === 0) break
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        await client.query(`drop database if exists "${name}" with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}
