/**
 * Supabase Edge Functions (Deno) serving nightshift jobs, callers through supabase-js, nightshift's SQL as
 * Supabase migrations, and Supabase Cron scripts.
 *
 * @packageDocumentation
 * @module @nightshift/adapter-supabase
 */
export type { SecretVariable } from './auth-from-env.js'
export { authFromEnv } from './auth-from-env.js'
export type { CronScripts, DatabaseCronOptions } from './cron/database-cron-sql.js'
export { databaseCronSql } from './cron/database-cron-sql.js'
export type { HttpCronOptions, HttpCronRoute } from './cron/http-cron-sql.js'
export { httpCronSql } from './cron/http-cron-sql.js'
export type { EnvReader } from './function-env.js'
export { databaseUrlFromEnv, functionEnv, requireEnv } from './function-env.js'
export type { FunctionsInvoker, InvokeInput, InvokeJobOptions } from './invoke-job.js'
export { invokeJob } from './invoke-job.js'
export { InvokeJobError } from './invoke-job-error.js'
export type { IncludedSql } from './migrations/plan-migration-files.js'
export type {
  SupabaseMigrationsOptions,
  SupabaseMigrationsReport,
} from './migrations/write-supabase-migrations.js'
export { writeSupabaseMigrations } from './migrations/write-supabase-migrations.js'
export type { ServableJobs, ServeJobsOptions } from './serve-jobs.js'
export { serveJobs } from './serve-jobs.js'
