import { readFile } from 'node:fs/promises'
import { NightshiftError } from '@nightshift/jobs-core'
import type { HttpCronOptions } from '../cron/http-cron-sql.js'

const known = ['urlSecret', 'tokenSecret', 'header', 'timeoutMs', 'bodies', 'routes', 'prefix', 'exclude']

/** Reads `--http-options <file.json>`: a JSON object of `httpCronSql`'s options; unknown keys are refused by name. */
export async function readHttpOptions(path: string): Promise<HttpCronOptions> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new NightshiftError('invalid_option', `--http-options ${path}: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NightshiftError('invalid_option', `--http-options ${path}: expected a JSON object`)
  }
  const unknown = Object.keys(value).filter((key) => !known.includes(key))
  if (unknown.length > 0) {
    throw new NightshiftError(
      'invalid_option',
      `--http-options ${path}: unknown option ${unknown.map((key) => JSON.stringify(key)).join(', ')}; known: ${known.join(', ')}`,
    )
  }
  return value as HttpCronOptions
}
