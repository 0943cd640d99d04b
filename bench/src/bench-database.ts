import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The server the benchmark uses: DATABASE_URL, else 127.0.0.1:5432 as postgres. */
export function adminUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
}

/** Runs `fn` against a fresh database named for `label`, dropped afterwards. */
export async function withFreshDatabase<T>(label: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `bench_${label.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl() })
  await admin.connect()
  await admin.query(`create database "${name}"`)
  const url = new URL(adminUrl())
  url.pathname = `/${name}`
  try {
    return await fn(url.toString())
  } finally {
    await waitForDisconnects(admin, name)
    await admin.query(`drop database if exists "${name}" with (force)`)
    await admin.end()
  }
}

/**
 * Gives each library's pools time to finish closing before the database is dropped: some return from
 * `stop()` while their idle connections are still closing, and a pool whose connection is terminated
 * by `drop ... with (force)` emits an error the process may not survive. Waits at most 10 s.
 */
async function waitForDisconnects(admin: pg.Client, name: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    const { rows } = await admin.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where datname = $1',
      [name],
    )
    if (rows[0]?.n === 0) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** One SQL statement on its own connection. */
export async function runSql<Row extends object = Record<string, unknown>>(
  url: string,
  sql: string,
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql)).rows as Row[]
  } finally {
    await client.end()
  }
}
