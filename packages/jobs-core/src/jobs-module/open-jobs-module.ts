import { createJobs, type Jobs } from '../create-jobs.js'
import type { AnyJobDefinition } from '../define-job.js'
import { NightshiftError } from '../errors.js'

/**
 * What a jobs module exports for the `nightshift`, `nightshift-gha` and `nightshift-supabase` commands:
 * the job definitions (an array, `jobs.definitions`, or one definition); a queue made with `createJobs`;
 * or a function of `{ databaseUrl }` returning either, or `{ jobs, close }` when it opens connections of
 * its own that `close` ends.
 *
 * @example
 * // jobs.ts
 * export const jobs = [generateInvoices, sendEmail]
 * // or, for jobs that need their own dependencies:
 * export default ({ databaseUrl }) => {
 *   const pool = new pg.Pool({ connectionString: databaseUrl })
 *   const jobs = createJobs({ db: pool, jobs: appJobs(pool) })
 *   return { jobs, close: async () => { await jobs.close(); await pool.end() } }
 * }
 */
export type JobsModuleExport =
  | JobsModuleValue
  | ((context: { databaseUrl: string | undefined }) => JobsModuleValue | Promise<JobsModuleValue>)

/**
 * What a jobs module's export is, or what its function returns.
 *
 * @example
 * const value: JobsModuleValue = createJobs({ db: process.env.DATABASE_URL, jobs: [generateInvoices] })
 */
export type JobsModuleValue =
  | AnyJobDefinition
  | readonly AnyJobDefinition[]
  | ReadonlyMap<string, AnyJobDefinition>
  | Jobs
  | { jobs: Jobs; close(): Promise<void> }

/**
 * A queue opened from a jobs module, and how to close everything it opened.
 *
 * @example
 * const opened: OpenedJobs = await openJobs(await importJobsModule('./jobs.mjs'), databaseUrl)
 * await opened.close()
 */
export interface OpenedJobs {
  jobs: Jobs
  close(): Promise<void>
}

/**
 * Whether `value` is what `defineJob` returns.
 *
 * @example
 * const definitions = Object.values(await import('./jobs.js')).filter(isJobDefinition)
 */
export function isJobDefinition(value: unknown): value is AnyJobDefinition {
  const candidate = value as { name?: unknown; run?: unknown } | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.run === 'function'
  )
}

function isJobs(value: unknown): value is Jobs {
  return typeof value === 'object' && value !== null && 'definitions' in value && 'process' in value
}

const expected =
  'job definitions (an array of defineJob(...) results, jobs.definitions or one definition), a createJobs queue, or a function returning one'

/** The definitions `value` is, or undefined when it is not definitions. */
function definitionsIn(value: unknown): AnyJobDefinition[] | undefined {
  if (isJobDefinition(value)) return [value]
  const items = value instanceof Map ? [...value.values()] : value
  if (Array.isArray(items) && items.length > 0 && items.every(isJobDefinition)) return [...items]
  return undefined
}

function notJobs(value: unknown): NightshiftError {
  const found = Array.isArray(value) ? `an array of ${value.length}` : value === null ? 'null' : typeof value
  return new NightshiftError('invalid_option', `the jobs module must export ${expected}; found ${found}`)
}

function openedFrom(value: unknown, databaseUrl: string | undefined): OpenedJobs {
  const definitions = definitionsIn(value)
  if (definitions) {
    if (databaseUrl === undefined)
      throw new NightshiftError('invalid_option', 'a database URL is needed to open the queue')
    const jobs: Jobs = createJobs({ db: databaseUrl, jobs: definitions as readonly AnyJobDefinition[] })
    return { jobs, close: () => jobs.close() }
  }
  if (isJobs(value)) return { jobs: value, close: () => value.close() }
  if (typeof value === 'object' && value !== null && 'jobs' in value && isJobs(value.jobs)) {
    const opened = value as { jobs: Jobs; close?: unknown }
    if (typeof opened.close !== 'function')
      throw new NightshiftError(
        'invalid_option',
        'the jobs module returned { jobs } without a close() function',
      )
    return value as OpenedJobs
  }
  throw notJobs(value)
}

/**
 * Opens the queue a jobs module describes, against `databaseUrl`: definitions get a queue of their own
 * on it; a queue, or what the module's function returns, is used as it is. `close()` ends what it opened.
 *
 * @example
 * const { jobs, close } = await openJobs(await importJobsModule('./jobs.mjs'), process.env.DATABASE_URL)
 * try { await jobs.process({ limit: 10 }) } finally { await close() }
 */
export async function openJobs(exported: JobsModuleExport, databaseUrl: string): Promise<OpenedJobs> {
  return openedFrom(typeof exported === 'function' ? await exported({ databaseUrl }) : exported, databaseUrl)
}

/**
 * The job definitions of a jobs module, without touching a database. A function is called with
 * `{ databaseUrl: undefined }`; a queue it returns is closed once its definitions are read.
 *
 * @example
 * const scheduled = (await jobDefinitionsOf(await importJobsModule('./jobs.ts'))).filter((job) => job.schedule)
 */
export async function jobDefinitionsOf(exported: JobsModuleExport): Promise<AnyJobDefinition[]> {
  const value = typeof exported === 'function' ? await exported({ databaseUrl: undefined }) : exported
  const definitions = definitionsIn(value)
  if (definitions) return definitions
  const opened = openedFrom(value, undefined)
  try {
    return [...opened.jobs.definitions.values()]
  } finally {
    await opened.close()
  }
}

/**
 * The definitions a jobs module exports as they are, or undefined when it exports a queue or a function
 * (which then opens its own connections: use `openJobs`).
 *
 * @example
 * const definitions = plainDefinitionsOf(exported) ?? (await openJobs(exported, url)).jobs.definitions
 */
export function plainDefinitionsOf(exported: JobsModuleExport): AnyJobDefinition[] | undefined {
  return typeof exported === 'function' ? undefined : definitionsIn(exported)
}
