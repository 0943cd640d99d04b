import { enqueueSlotSql } from '@nightshift/jobs-core'
import {
  cronPrefix,
  type DefinitionsInput,
  scheduledDefinitions,
  scheduleScript,
  unscheduleScript,
} from './cron-job-names.js'

/**
 * Options of `databaseCronSql`.
 *
 * @example
 * const options: DatabaseCronOptions = { schema: 'nightshift', prefix: 'nightshift:' }
 */
export interface DatabaseCronOptions {
  /** nightshift's schema. Default `nightshift`. */
  schema?: string
  /** Names the pg_cron jobs `<prefix><job>`; the scripts touch only jobs with it. Default `nightshift:`. */
  prefix?: string
  /** Jobs left out of the SQL schedules (e.g. one in another time zone, scheduled by the ticker). */
  exclude?: readonly string[]
}

/**
 * A schedule script and its unschedule script, as SQL text.
 *
 * @example
 * const { schedule, unschedule }: CronScripts = databaseCronSql(definitions)
 */
export interface CronScripts {
  schedule: string
  unschedule: string
}

/**
 * Supabase Cron without HTTP: SQL that has pg_cron enqueue each scheduled job's slot inside the
 * database (`<schema>.enqueue_cron_slot`, with the key the ticker and HTTP triggers use, so mixing them
 * runs a slot once). Something must still run the jobs: a worker, or pg_cron calling the queue route
 * (`httpCronSql({ routes })`). Refuses a job in a time zone other than UTC (pg_cron runs in UTC) and
 * a cron expression pg_cron would read differently, naming the job. Running `schedule` again updates
 * the jobs and unschedules nightshift's jobs no longer defined.
 *
 * @example
 * const { schedule, unschedule } = databaseCronSql(jobs.definitions)
 * writeFileSync('supabase/cron/schedule-database.sql', schedule)
 * // psql "$SUPABASE_DB_URL" -f supabase/cron/schedule-database.sql
 */
export function databaseCronSql(
  definitions: DefinitionsInput,
  options: DatabaseCronOptions = {},
): CronScripts {
  const prefix = cronPrefix(options.prefix ?? 'nightshift:')
  const jobs = scheduledDefinitions(definitions, options.exclude).map((definition) => ({
    name: definition.name,
    cron: definition.schedule?.cron as string,
    // Validates the zone and the expression first: nothing is written for a set with one bad job.
    command: enqueueSlotSql(definition, { schema: options.schema }),
  }))
  const header = `-- Supabase Cron (pg_cron) enqueues each scheduled nightshift job's slot in the database, with the key\n-- the ticker and HTTP triggers use (<job>@<slot ISO>): whichever comes first makes the slot's one job.\n-- A worker or the queue route runs them. Written by nightshift-supabase; safe to run again.\n\n`
  return {
    schedule: `${header}${scheduleScript(prefix, jobs)}\n`,
    unschedule: `-- Removes the pg_cron jobs databaseCronSql scheduled. Written by nightshift-supabase.\n\n${unscheduleScript(prefix)}\n`,
  }
}
