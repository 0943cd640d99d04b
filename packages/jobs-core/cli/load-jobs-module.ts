import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type AnyJobDefinition, NightshiftError } from '../src/index.js'

function isDefinition(value: unknown): value is AnyJobDefinition {
  const candidate = value as Partial<AnyJobDefinition> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.run === 'function'
  )
}

/**
 * The job definitions a module exports: its `jobs` export (an array of `defineJob` results), else its
 * default export when that is such an array, else every export that is a job definition. A `.ts` module
 * needs a loader (`node --import tsx node_modules/.bin/nightshift …`); the error says so.
 *
 * @example
 * const definitions = await loadJobsModule('./dist/jobs.js')
 */
export async function loadJobsModule(path: string): Promise<AnyJobDefinition[]> {
  let loaded: Record<string, unknown>
  try {
    loaded = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const hint =
      code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ': a TypeScript module needs a loader, e.g. `node --import tsx node_modules/.bin/nightshift …`, or build it to JavaScript first'
        : ''
    throw new NightshiftError(
      'invalid_option',
      `could not load --jobs ${path}${hint} (${(error as Error).message})`,
      {
        cause: error,
      },
    )
  }
  for (const candidate of [loaded.jobs, loaded.default]) {
    if (Array.isArray(candidate) && candidate.length > 0 && candidate.every(isDefinition)) return candidate
  }
  const exported = Object.values(loaded).filter(isDefinition)
  if (exported.length > 0) return exported
  throw new NightshiftError(
    'invalid_option',
    `--jobs ${path} exports no job definitions: export \`jobs\` (an array of defineJob(...) results) or the definitions themselves`,
  )
}
