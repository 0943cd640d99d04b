import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type AnyJobDefinition, createJobs, type Jobs } from '@nightshift/jobs-core'

/**
 * What a jobs module exports (as `default`, or as `jobs`): the job definitions; a queue made with
 * `createJobs`; or a function of `{ databaseUrl }` returning either, or `{ jobs, close }` when it opens
 * connections of its own that `close` ends.
 *
 * @example
 * // jobs.ts
 * export default [generateInvoices, sendEmail]
 * // or, for jobs that need their own dependencies:
 * export default ({ databaseUrl }) => {
 *   const pool = new pg.Pool({ connectionString: databaseUrl })
 *   const jobs = createJobs({ db: pool, jobs: appJobs(pool) })
 *   return { jobs, close: async () => { await jobs.close(); await pool.end() } }
 * }
 */
export type JobsModuleExport =
  | readonly AnyJobDefinition[]
  | Jobs
  | ((context: { databaseUrl: string | undefined }) => JobsModuleValue | Promise<JobsModuleValue>)

type JobsModuleValue = readonly AnyJobDefinition[] | Jobs | { jobs: Jobs; close(): Promise<void> }

/** A queue opened from a jobs module, and how to close everything it opened. */
export interface OpenedJobs {
  jobs: Jobs
  close(): Promise<void>
}

const typeScript = /\.[cm]?tsx?$/

/**
 * Imports a jobs module by path (relative to `cwd`). A TypeScript file is loaded through `tsx` from
 * the project's own `node_modules` (`npm i -D tsx`); a `.js`/`.mjs` module needs nothing.
 *
 * @example
 * const exported = await importJobsModule('./src/jobs.ts')
 */
export async function importJobsModule(path: string, cwd = process.cwd()): Promise<JobsModuleExport> {
  const absolute = resolve(cwd, path)
  let loaded: Record<string, unknown>
  if (typeScript.test(absolute)) {
    let api: string
    try {
      // The ESM entry of tsx's API, from its package.json (a require-resolve would give the CJS one).
      const manifest = createRequire(resolve(cwd, 'package.json')).resolve('tsx/package.json')
      const { exports } = JSON.parse(await readFile(manifest, 'utf8')) as {
        exports: Record<string, { import?: { default?: string } }>
      }
      api = join(dirname(manifest), exports['./esm/api']?.import?.default ?? 'dist/esm/api/index.mjs')
    } catch {
      throw new Error(
        `${path} is TypeScript: install tsx in this project (npm i -D tsx) to load it, or point at a compiled .js/.mjs module`,
      )
    }
    const { tsImport } = (await import(pathToFileURL(api).href)) as {
      tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>
    }
    loaded = await tsImport(pathToFileURL(absolute).href, pathToFileURL(resolve(cwd, 'package.json')).href)
  } else {
    loaded = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>
  }
  const exported = loaded.default ?? loaded.jobs
  if (exported === undefined) {
    throw new Error(
      `${path} exports neither a default nor "jobs": export the job definitions (see the README)`,
    )
  }
  return exported as JobsModuleExport
}

function isJobs(value: unknown): value is Jobs {
  return typeof value === 'object' && value !== null && 'definitions' in value && 'process' in value
}

function openedFrom(value: JobsModuleValue, databaseUrl: string | undefined): OpenedJobs {
  if (Array.isArray(value)) {
    if (databaseUrl === undefined) throw new Error('a database URL is needed to open the queue')
    const jobs = createJobs({ db: databaseUrl, jobs: value as readonly AnyJobDefinition[] })
    return { jobs, close: () => jobs.close() }
  }
  if (isJobs(value)) return { jobs: value, close: () => value.close() }
  if (typeof value === 'object' && value !== null && 'jobs' in value && isJobs(value.jobs)) return value
  throw new Error(
    'the jobs module must export job definitions, a createJobs queue, or a function returning one',
  )
}

/**
 * Opens the queue a jobs module describes, against `databaseUrl`; `close()` ends what it opened.
 *
 * @example
 * const { jobs, close } = await openJobs(await importJobsModule('./jobs.mjs'), process.env.DATABASE_URL)
 * try { await jobs.process({ limit: 10 }) } finally { await close() }
 */
export async function openJobs(exported: JobsModuleExport, databaseUrl: string): Promise<OpenedJobs> {
  return openedFrom(typeof exported === 'function' ? await exported({ databaseUrl }) : exported, databaseUrl)
}

/**
 * The job definitions of a jobs module, without touching a database.
 *
 * @example
 * const scheduled = (await jobDefinitionsOf(await importJobsModule('./jobs.ts'))).filter((job) => job.schedule)
 */
export async function jobDefinitionsOf(exported: JobsModuleExport): Promise<AnyJobDefinition[]> {
  if (Array.isArray(exported)) return [...(exported as readonly AnyJobDefinition[])]
  const value = typeof exported === 'function' ? await exported({ databaseUrl: undefined }) : exported
  if (Array.isArray(value)) return [...(value as readonly AnyJobDefinition[])]
  const opened = openedFrom(value, undefined)
  try {
    return [...opened.jobs.definitions.values()]
  } finally {
    await opened.close()
  }
}
