import { bookingMigrations } from './booking-migrations.js'

/**
 * The booking schema as one SQL script for a migrations folder (`supabase/migrations`): it creates the
 * schema and its version table, and applies each migration only when `booking.migrations` does not
 * record it yet, recording it as `migrateBooking` does. So it is safe on a database `migrateBooking`
 * set up, and a later `migrateBooking` finds nothing to do.
 *
 * @example
 * writeFileSync('booking.sql', bookingMigrationSql())
 * // npx nightshift-supabase migrations --out supabase/migrations --include booking.sql
 */
export function bookingMigrationSql(): string {
  const parts = [
    "-- The booking app's schema (examples/booking), written by bookingMigrationSql().",
    'create schema if not exists booking;',
    'create table if not exists booking.migrations (\n  version integer primary key,\n  name text not null,\n  applied_at timestamptz not null default now()\n);',
  ]
  for (const migration of bookingMigrations) {
    const tag = `$booking_migration_${migration.version}$`
    const text = `$booking_migration_${migration.version}_sql$`
    parts.push(`-- booking migration ${migration.version}: ${migration.name}
do ${tag}
begin
  if not exists (select 1 from booking.migrations where version = ${migration.version}) then
    execute ${text}${migration.sql}${text};
    insert into booking.migrations (version, name) values (${migration.version}, '${migration.name}');
  end if;
end
${tag};`)
  }
  return `${parts.join('\n\n')}\n`
}
