import type { ScopedSecret } from './auth-options.js'
import { constantTimeEqual } from './constant-time-equal.js'

/**
 * The token a request carries: in `header` when one is configured (e.g. a
 * `SCHEDULER_SECRET_HEADER` of a cron setup), else in `Authorization: Bearer <token>`.
 */
export function tokenOf(headers: Headers, header: string | undefined): string | undefined {
  if (header) {
    const value = headers.get(header)?.trim()
    if (value) return value.replace(/^Bearer\s+/i, '')
  }
  const authorization = headers.get('authorization')
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null
  return match?.[1]
}

/**
 * Finds the configured token equal to `candidate`, comparing against every token in constant time
 * (no early exit), so neither the match nor its position shows in the timing.
 */
export async function matchToken(
  candidate: string,
  tokens: readonly ScopedSecret[],
): Promise<ScopedSecret | undefined> {
  const results = await Promise.all(tokens.map((token) => constantTimeEqual(candidate, token.secret)))
  let found: ScopedSecret | undefined
  results.forEach((equal, index) => {
    if (equal && !found) found = tokens[index]
  })
  return found
}
