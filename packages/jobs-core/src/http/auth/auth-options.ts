import { NightshiftError } from '../../errors.js'
import { wholeNumberProblem } from '../../whole-number.js'

/**
 * What a secret may reach: `'*'` for everything, or a list of job names and route names (the queue
 * route's name, `tick`, `jobs` to read `GET <base>/jobs/<id>`, `health` when it requires auth).
 */
export type TokenScope = '*' | readonly string[]

/** Secrets as a list (each may reach everything) or as a map from secret to its scope. */
export type SecretList = readonly string[] | Readonly<Record<string, TokenScope>>

/**
 * How `createHandler` checks callers. Say `'none'` to run without auth on purpose.
 *
 * @example
 * const auth: AuthOptions = {
 *   tokens: {
 *     [serviceRoleKey]: '*',
 *     [cronSecret]: ['run-escalation-orchestration'], // a cron secret cannot run billing
 *   },
 *   signingKeys: [currentKey, previousKey], // rotation: both verify until the old one is removed
 * }
 */
export interface AuthOptions {
  /** Bearer tokens (or tokens in `header`). Several at once allow rotation without downtime. */
  tokens?: SecretList
  /**
   * Keys for `x-nightshift-signature: t=<unix>,v2=<hex HMAC-SHA256(key, "<t>\n<METHOD>\n<path>\n<body>")>`
   * (see `sign`); a signed request that makes a new run is accepted once.
   */
  signingKeys?: SecretList
  /** How far a signature's time may be from now, either way. Default 300 s. */
  toleranceSeconds?: number
}

/** One accepted secret and what it may reach. */
export interface ScopedSecret {
  secret: string
  scope: TokenScope
}

/** Auth in the shape the handler checks it. */
export interface ResolvedAuth {
  none: boolean
  tokens: ScopedSecret[]
  signingKeys: ScopedSecret[]
  toleranceSeconds: number
}

function invalid(message: string): NightshiftError {
  return new NightshiftError('invalid_option', `createHandler({ auth }): ${message}`)
}

function scopedSecrets(field: string, list: SecretList | undefined): ScopedSecret[] {
  if (list === undefined) return []
  const entries: [string, TokenScope][] = Array.isArray(list)
    ? (list as readonly string[]).map((secret) => [secret, '*'])
    : Object.entries(list as Record<string, TokenScope>)
  return entries.map(([secret, scope], index) => {
    // The secret itself never appears in an error: only its position.
    if (typeof secret !== 'string' || secret.length < 8) {
      throw invalid(`${field} entry ${index + 1} must be a string of at least 8 characters`)
    }
    if (scope !== '*' && !(Array.isArray(scope) && scope.every((name) => typeof name === 'string' && name))) {
      throw invalid(`${field} entry ${index + 1} has a scope that is neither '*' nor a list of names`)
    }
    return { secret, scope }
  })
}

/** Checks auth options once, when the handler is created, never per request. */
export function resolveAuth(auth: 'none' | AuthOptions | undefined): ResolvedAuth {
  if (auth === 'none') return { none: true, tokens: [], signingKeys: [], toleranceSeconds: 300 }
  if (auth === undefined || auth === null || typeof auth !== 'object') {
    throw invalid(
      "no auth configured. Pass { tokens: [...] } and/or { signingKeys: [...] }, or auth: 'none' to accept every caller on purpose",
    )
  }
  const tokens = scopedSecrets('tokens', auth.tokens)
  const signingKeys = scopedSecrets('signingKeys', auth.signingKeys)
  if (tokens.length === 0 && signingKeys.length === 0) {
    throw invalid("tokens and signingKeys are both empty; pass at least one secret, or auth: 'none'")
  }
  const toleranceSeconds = auth.toleranceSeconds ?? 300
  const problem = wholeNumberProblem(toleranceSeconds, { min: 1 })
  if (problem !== undefined) throw invalid(`toleranceSeconds ${problem}`)
  return { none: false, tokens, signingKeys, toleranceSeconds }
}
