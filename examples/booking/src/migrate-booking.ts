import type pg from 'pg'
import { bookingMigrations } from './booking-migrations.js'

/**
 * Creates or updates the example's `booking` schema. Idempotent; concurrent callers serialise on a
 * transaction-scoped advisory lock (session locks leak through transaction-mode poolers).
 *
 * @example
 * await jobs.migrate()
 * await migrateBooking(pool)
 */
export async function migrateBooking(db: pg.Pool): Promise<{ applied: number[] }> {
  const client = await db.connect()
  const applied: number[] = []
  try {
    await client.query('begin')
    await client.query(`select pg_advisory_xact_lock(hashtext('nightshift-example-booking-migrate'))`)
    await client.query('create schema if not exists booking')
    await client.query(
      `create table if not exists booking.migrations (
         version integer primary key, name text not null, applied_at timestamptz not null default now())`,
    )
    const { rows } = await client.query<{ version: number }>('select version from booking.migrations')
    const done = new Set(rows.map((row) => row.version))
    for (const migration of bookingMigrations) {
      if (done.has(migration.version)) continue
      await client.query(migration.sql)
      await client.query('insert into booking.migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ])
      applied.push(migration.version)
    }
    await client.query('commit')
    return { applied }
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
