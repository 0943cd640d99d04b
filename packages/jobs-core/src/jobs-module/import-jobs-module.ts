import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NightshiftError } from '../errors.js'
import { isJobDefinition, type JobsModuleExport } from './open-jobs-module.js'

const typeScript = /\.[cm]?tsx?$/

/** tsx's `tsImport`, from the project's own node_modules, or undefined when the project has no tsx. */
async function projectTsImport(
  cwd: string,
): Promise<((specifier: string, parent: string) => Promise<Record<string, unknown>>) | undefined> {
  let api: string
  try {
    // The ESM entry of tsx's API, from its package.json (a require-resolve would give the CJS one).
    const manifest = createRequire(resolve(cwd, 'package.json')).resolve('tsx/package.json')
    const { exports } = JSON.parse(await readFile(manifest, 'utf8')) as {
      exports: Record<string, { import?: { default?: string } }>
    }
    api = join(dirname(manifest), exports['./esm/api']?.import?.default ?? 'dist/esm/api/index.mjs')
  } catch {
    return undefined
  }
  const { tsImport } = (await import(pathToFileURL(api).href)) as {
    tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>
  }
  return tsImport
}

async function loadModule(path: string, spec: string, cwd: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href
  try {
    if (typeScript.test(path)) {
      const tsImport = await projectTsImport(cwd)
      if (tsImport) return await tsImport(url, pathToFileURL(resolve(cwd, 'package.json')).href)
    }
    // A .js/.mjs module as it is; a .ts one when a loader is registered (node --import tsx).
    return (await import(url)) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const hint =
      code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ': it is TypeScript; install tsx in this project (npm i -D tsx) to load it, or point at a compiled .js/.mjs module'
        : ''
    throw new NightshiftError(
      'invalid_option',
      `could not load the jobs module ${spec}${hint} (${(error as Error).message})`,
      {
        cause: error,
      },
    )
  }
}

/**
 * Imports a jobs module: `path` relative to `cwd`, with `#name` to pick an export. Without a name, it
 * takes the `jobs` export, else the default one, else every export that is a job definition. A `.js` or
 * `.mjs` module is imported as it is; a TypeScript one with the `tsx` of the project in `cwd`
 * (`npm i -D tsx`), or with a loader already registered (`node --import tsx`). The `nightshift`,
 * `nightshift-gha` and `nightshift-supabase` commands all read `--jobs` with it.
 *
 * @example
 * const exported = await importJobsModule('./src/jobs.ts#bookingJobs')
 * const definitions = await jobDefinitionsOf(exported)
 */
export async function importJobsModule(spec: string, cwd = process.cwd()): Promise<JobsModuleExport> {
  const hash = spec.lastIndexOf('#')
  const path = hash === -1 ? spec : spec.slice(0, hash)
  const name = hash === -1 ? undefined : spec.slice(hash + 1)
  if (path === '' || name === '')
    throw new NightshiftError(
      'invalid_option',
      `the jobs module ${JSON.stringify(spec)} should be <path>[#export]`,
    )
  const loaded = await loadModule(resolve(cwd, path), spec, cwd)
  const names = Object.keys(loaded)
    .filter((key) => key !== '__esModule')
    .sort()
  if (name !== undefined) {
    if (loaded[name] === undefined)
      throw new NightshiftError(
        'invalid_option',
        `the jobs module ${path} has no export "${name}"; it exports ${names.length > 0 ? names.map((key) => `"${key}"`).join(', ') : 'nothing'}`,
      )
    return loaded[name] as JobsModuleExport
  }
  const chosen = loaded.jobs ?? loaded.default
  if (chosen !== undefined) return chosen as JobsModuleExport
  const definitions = Object.values(loaded).filter(isJobDefinition)
  if (definitions.length > 0) return definitions
  throw new NightshiftError(
    'invalid_option',
    `the jobs module ${path} exports no job definitions: export \`jobs\` (an array of defineJob(...) results), a default, or the definitions themselves`,
  )
}
