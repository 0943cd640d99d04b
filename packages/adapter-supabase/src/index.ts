/** The Supabase host for nightshift: filled in by the adapter's first change. */
export const adapterName = 'supabase'
export type { CronScripts, DatabaseCronOptions } from './cron/database-cron-sql.js'
export { databaseCronSql } from './cron/database-cron-sql.js'
export type { HttpCronOptions, HttpCronRoute } from './cron/http-cron-sql.js'
export { httpCronSql } from './cron/http-cron-sql.js'
export type { IncludedSql } from './migrations/plan-migration-files.js'
export type {
  SupabaseMigrationsOptions,
  SupabaseMigrationsReport,
} from './migrations/write-supabase-migrations.js'
export { writeSupabaseMigrations } from './migrations/write-supabase-migrations.js'
