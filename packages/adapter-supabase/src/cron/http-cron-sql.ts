import { defineJob, enqueueSlotSql, NightshiftError } from '@nightshift/jobs-core'
import {
  cronPrefix,
  type DefinitionsInput,
  scheduledDefinitions,
  scheduleScript,
  sqlText,
  unscheduleScript,
} from './cron-job-names.js'
import type { CronScripts } from './database-cron-sql.js'

/**
 * A route pg_cron calls that is not a scheduled job, such as the queue route that drains the queue.
 *
 * @example
 * const worker: HttpCronRoute = { name: 'notification-worker', cron: '*\/2 * * * *', body: { limit: 10 } }
 */
export interface HttpCronRoute {
  /** The function's name; the URL is `<functions url>/<name>` unless `path` says otherwise. */
  name: string
  /** Five fields, UTC. */
  cron: string
  path?: string
  /** Default `{}`. */
  body?: unknown
}

/**
 * Options of `httpCronSql`.
 *
 * @example
 * const options: HttpCronOptions = { bodies: { 'run-escalation-orchestration': { force: false } }, timeoutMs: 60_000 }
 */
export interface HttpCronOptions {
  /** Vault secret holding the functions' base URL (`https://<ref>.supabase.co/functions/v1`). Default `nightshift_functions_url`. */
  urlSecret?: string
  /** Vault secret holding the token the functions accept. Default `nightshift_cron_token`. */
  tokenSecret?: string
  /** Header the token goes in: `Authorization` (the default) sends `Bearer <token>`, another header the token alone. */
  header?: string
  /** pg_net's `timeout_milliseconds` for each call. Default 60,000. */
  timeoutMs?: number
  /** The body sent to a job's function, by job name. Default `{}`. */
  bodies?: Readonly<Record<string, unknown>>
  /** More calls, such as the queue route. */
  routes?: readonly HttpCronRoute[]
  /** Names the pg_cron jobs `<prefix><name>`. Default `nightshift-http:`. */
  prefix?: string
  /** Jobs left out of the SQL schedules (e.g. one in another time zone, scheduled by the tick route). */
  exclude?: readonly string[]
}

function checked(name: string, value: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new NightshiftError('invalid_option', `${name} ${JSON.stringify(value)} must be ${what}`)
  }
  return value
}

/** The cron of a route, checked as a job's schedule is (five fields, read the same by pg_cron). */
function routeCron(route: HttpCronRoute): string {
  const definition = defineJob({ name: route.name, schedule: route.cron, run: () => undefined })
  enqueueSlotSql(definition)
  return definition.schedule?.cron as string
}

/**
 * Supabase Cron over HTTP: SQL that has pg_cron call each scheduled job's Edge Function (and any
 * `routes`, such as the queue worker) with pg_net's `net.http_post`, the URL and token read from Vault
 * (`vault.decrypted_secrets`) when the call is made, so no secret is in the SQL. The function triggers
 * the job's current slot, with the key every other trigger uses. Refuses jobs in a time zone other than
 * UTC and crons pg_cron would read differently. `schedule` is safe to run again.
 *
 * @example
 * const { schedule, unschedule } = httpCronSql(jobs.definitions, {
 *   bodies: { 'run-escalation-orchestration': { force: false } },
 *   routes: [{ name: 'notification-worker', cron: '*\/2 * * * *', body: { limit: 10 } }],
 * })
 */
export function httpCronSql(definitions: DefinitionsInput, options: HttpCronOptions = {}): CronScripts {
  const prefix = cronPrefix(options.prefix ?? 'nightshift-http:')
  const secretName = /^[A-Za-z0-9_-]+$/
  const urlSecret = checked(
    'urlSecret',
    options.urlSecret ?? 'nightshift_functions_url',
    secretName,
    'a Vault secret name',
  )
  const tokenSecret = checked(
    'tokenSecret',
    options.tokenSecret ?? 'nightshift_cron_token',
    secretName,
    'a Vault secret name',
  )
  const header = checked(
    'header',
    options.header ?? 'Authorization',
    /^[A-Za-z0-9-]+$/,
    'an HTTP header name',
  )
  const timeoutMs = options.timeoutMs ?? 60_000
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1000 || timeoutMs > 600_000) {
    throw new NightshiftError(
      'invalid_option',
      `timeoutMs must be a whole number from 1000 to 600000, got ${timeoutMs}`,
    )
  }
  const bodies = options.bodies ?? {}
  const targets = scheduledDefinitions(definitions, options.exclude).map((definition) => {
    enqueueSlotSql(definition) // the same checks as the database-native schedule
    return {
      name: definition.name,
      cron: definition.schedule?.cron as string,
      path: `/${definition.name}`,
      body: bodies[definition.name] ?? {},
    }
  })
  for (const route of options.routes ?? []) {
    const path = checked(
      `route ${route.name} path`,
      route.path ?? `/${route.name}`,
      /^\/[A-Za-z0-9/_.-]*$/,
      'a path starting with /',
    )
    targets.push({ name: route.name, cron: routeCron(route), path, body: route.body ?? {} })
  }
  const secret = (name: string) =>
    `(select decrypted_secret from vault.decrypted_secrets where name = ${sqlText(name)})`
  const token =
    header.toLowerCase() === 'authorization' ? `'Bearer ' || ${secret(tokenSecret)}` : secret(tokenSecret)
  const jobs = targets.map((target) => ({
    name: target.name,
    cron: target.cron,
    command: `
  select net.http_post(
    url := ${secret(urlSecret)} || ${sqlText(target.path)},
    body := ${sqlText(JSON.stringify(target.body))}::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', ${sqlText(header)}, ${token}),
    timeout_milliseconds := ${timeoutMs}
  ) as request_id
`,
  }))
  const header_ = `-- Supabase Cron (pg_cron + pg_net) calls nightshift's Edge Functions. The URL and the token are read from\n-- Vault when each call is made; create them once (never in a migration):\n--   select vault.create_secret('https://<project-ref>.supabase.co/functions/v1', ${sqlText(urlSecret)});\n--   select vault.create_secret('<a token the functions accept>', ${sqlText(tokenSecret)});\n-- Written by nightshift-supabase; safe to run again.\n\n`
  return {
    schedule: `${header_}${scheduleScript(prefix, jobs)}\n`,
    unschedule: `-- Removes the pg_cron jobs httpCronSql scheduled. Written by nightshift-supabase.\n\n${unscheduleScript(prefix)}\n`,
  }
}
