import { type AuthOptions, NightshiftError, type TokenScope } from '@nightshift/jobs-core'
import type { EnvReader } from './function-env.js'

/**
 * The variables that may hold a caller's secret (the names Supabase projects and their cron setups use),
 * the keys of `serveJobs`'s `scopes`.
 *
 * @example
 * const scopes: Partial<Record<SecretVariable, TokenScope>> = { CRON_SECRET: ['run-escalation-orchestration'] }
 */
export type SecretVariable =
  | 'SUPABASE_SERVICE_ROLE_KEY'
  | 'SUPABASE_SECRET_KEYS'
  | 'CRON_SECRET'
  | 'SCHEDULER_SECRET_TOKEN'
  | 'NIGHTSHIFT_SIGNING_KEY'

/** What each variable's secret may reach when no scope is given: the service keys reach everything. */
const defaultScopes: Record<SecretVariable, TokenScope> = {
  SUPABASE_SERVICE_ROLE_KEY: '*',
  SUPABASE_SECRET_KEYS: '*',
  CRON_SECRET: '*',
  SCHEDULER_SECRET_TOKEN: '*',
  NIGHTSHIFT_SIGNING_KEY: '*',
}

/** Supabase's newer secret keys: a JSON object of name → key (`{"default":"sb_secret_..."}`). */
function secretKeys(text: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new NightshiftError('invalid_option', 'SUPABASE_SECRET_KEYS is not JSON: expected {"name":"key"}')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new NightshiftError('invalid_option', 'SUPABASE_SECRET_KEYS must be a JSON object {"name":"key"}')
  }
  return Object.entries(parsed).map(([name, key]) => {
    if (typeof key !== 'string') {
      // The name is the map's own label, not a secret: it may be said.
      throw new NightshiftError('invalid_option', `SUPABASE_SECRET_KEYS.${name} must be a string`)
    }
    return key
  })
}

/**
 * The handler's auth and token header from the function's environment: bearer tokens from
 * `SUPABASE_SERVICE_ROLE_KEY`, `SUPABASE_SECRET_KEYS`, `CRON_SECRET` and `SCHEDULER_SECRET_TOKEN`, a
 * signing key from `NIGHTSHIFT_SIGNING_KEY`, and `SCHEDULER_SECRET_HEADER` as the header a token may
 * come in (Authorization: Bearer still works). Each secret reaches everything unless `scopes` says less.
 * Throws, naming the variables, when none is set; secrets never appear in an error.
 *
 * @example
 * const { auth, header } = authFromEnv(functionEnv(), { CRON_SECRET: ['run-escalation-orchestration'] })
 */
export function authFromEnv(
  env: EnvReader,
  scopes: Partial<Record<SecretVariable, TokenScope>> = {},
): { auth: AuthOptions; header: string | undefined } {
  const scopeOf = (name: SecretVariable) => scopes[name] ?? defaultScopes[name]
  const tokens: Record<string, TokenScope> = {}
  const add = (name: SecretVariable, secret: string | undefined) => {
    if (secret === undefined || secret === '') return
    if (secret.length < 8) throw new NightshiftError('invalid_option', `${name} must be 8 characters or more`)
    // A secret listed twice (the service role key also in the map) keeps the wider scope.
    tokens[secret] = tokens[secret] === '*' ? '*' : scopeOf(name)
  }
  add('SUPABASE_SERVICE_ROLE_KEY', env('SUPABASE_SERVICE_ROLE_KEY'))
  const keys = env('SUPABASE_SECRET_KEYS')
  if (keys) for (const key of secretKeys(keys)) add('SUPABASE_SECRET_KEYS', key)
  add('CRON_SECRET', env('CRON_SECRET'))
  add('SCHEDULER_SECRET_TOKEN', env('SCHEDULER_SECRET_TOKEN'))
  const signingKey = env('NIGHTSHIFT_SIGNING_KEY')
  const signingKeys = signingKey ? { [signingKey]: scopeOf('NIGHTSHIFT_SIGNING_KEY') } : {}
  if (Object.keys(tokens).length === 0 && !signingKey) {
    throw new NightshiftError(
      'invalid_option',
      'no secret to check callers against: set SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS, CRON_SECRET, SCHEDULER_SECRET_TOKEN or NIGHTSHIFT_SIGNING_KEY (or pass auth)',
    )
  }
  const header = env('SCHEDULER_SECRET_HEADER')?.trim() || undefined
  return { auth: { tokens, signingKeys }, header }
}
