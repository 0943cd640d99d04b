import { NightshiftError } from '@nightshift/jobs-core'

/**
 * Reads one environment variable: `Deno.env.get` in a function, `process.env` in Node, or your own.
 *
 * @example
 * const env: EnvReader = (name) => ({ SUPABASE_DB_URL: 'postgres://...' })[name]
 * serveJobs(definitions, { env })
 */
export type EnvReader = (name: string) => string | undefined

interface DenoEnv {
  Deno?: { env?: { get(name: string): string | undefined } }
  process?: { env?: Record<string, string | undefined> }
}

/**
 * The function's environment: `Deno.env.get` where Deno exists (an Edge Function), else `process.env`.
 *
 * @example
 * const url = functionEnv()('SUPABASE_DB_URL')
 */
export function functionEnv(): EnvReader {
  const host = globalThis as DenoEnv
  const deno = host.Deno?.env
  if (deno) return (name) => deno.get(name)
  return (name) => host.process?.env?.[name]
}

/**
 * The value of a variable, or an error naming it (never its value) and saying what it is for.
 *
 * @example
 * const url = requireEnv(functionEnv(), 'SUPABASE_DB_URL', 'the database nightshift uses')
 */
export function requireEnv(env: EnvReader, name: string, purpose: string): string {
  const value = env(name)
  if (value === undefined || value.trim() === '') {
    throw new NightshiftError(
      'invalid_option',
      `${name} is not set: it is ${purpose}. Set it as a function secret (supabase secrets set ${name}=...)`,
    )
  }
  return value
}

/**
 * The database a function's queue uses: `NIGHTSHIFT_DB_URL` when set, else `SUPABASE_DB_URL`, which
 * Supabase gives every function (names starting with `SUPABASE_` are reserved, so a project that wants
 * another connection string, e.g. the transaction pooler's on port 6543, sets `NIGHTSHIFT_DB_URL`).
 * Throws naming both when neither is set.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: databaseUrlFromEnv(functionEnv()), max: 2 })
 */
export function databaseUrlFromEnv(env: EnvReader): string {
  const own = env('NIGHTSHIFT_DB_URL')
  if (own !== undefined && own.trim() !== '') return own
  return requireEnv(
    env,
    'SUPABASE_DB_URL',
    'the database nightshift uses (or set NIGHTSHIFT_DB_URL, e.g. to the transaction pooler on port 6543)',
  )
}
