import type { ScopedSecret } from '../http/auth/auth-options.js'
import { equalBytes } from '../http/auth/constant-time-equal.js'
import { hmacHex } from '../http/auth/hmac-hex.js'

const encoder = new TextEncoder()

/** The cookie that keeps a dashboard login. Accepted by the dashboard's routes only. */
export const sessionCookieName = 'nightshift_dashboard'

/** How long a login lasts. */
export const sessionSeconds = 12 * 60 * 60

const sessionShape = /^(\d{1,12})\.([0-9a-f]{64})$/

/**
 * A session value for a token: `<expiry unix s>.<hex HMAC-SHA256(token, "nightshift-dashboard:<expiry>")>`.
 * It holds no token, cannot be forged without one, and dies when its token is removed from `auth`.
 */
export async function createSession(token: string, now: Date): Promise<string> {
  const expiry = Math.floor(now.getTime() / 1000) + sessionSeconds
  return `${expiry}.${await hmacHex(token, `nightshift-dashboard:${expiry}`)}`
}

/**
 * The configured token a session value was made with, or undefined when it was made with none, is
 * malformed, or expired. Every token is checked, match or not, so timing does not tell which matched.
 */
export async function verifySession(
  value: string,
  tokens: readonly ScopedSecret[],
  now: Date,
): Promise<ScopedSecret | undefined> {
  const parts = sessionShape.exec(value)
  if (!parts) return undefined
  const expiry = Number(parts[1])
  const nowSeconds = Math.floor(now.getTime() / 1000)
  // A value from the future past one session's length was not made by createSession.
  if (expiry <= nowSeconds || expiry > nowSeconds + sessionSeconds + 60) return undefined
  const given = encoder.encode(parts[2] as string)
  let found: ScopedSecret | undefined
  for (const token of tokens) {
    const expected = encoder.encode(await hmacHex(token.secret, `nightshift-dashboard:${expiry}`))
    if (equalBytes(expected, given) && !found) found = token
  }
  return found
}

/**
 * The CSRF value a session's forms carry: an HMAC of the session value under its token. A page on
 * another site can neither read the cookie nor compute this.
 */
export function csrfTokenFor(session: string, token: string): Promise<string> {
  return hmacHex(token, `nightshift-dashboard-csrf:${session}`)
}

/** Compares a submitted CSRF value with the expected one without an early exit. */
export function csrfMatches(submitted: string | undefined, expected: string): boolean {
  if (submitted === undefined) return false
  return equalBytes(encoder.encode(submitted), encoder.encode(expected))
}

/** The `Set-Cookie` value that stores a session (or, with `value` empty, clears it). */
export function sessionCookie(value: string, options: { path: string; secure: boolean }): string {
  const parts = [
    `${sessionCookieName}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${value === '' ? 0 : sessionSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
  ]
  if (options.secure) parts.push('Secure')
  return parts.join('; ')
}

/** The session cookie's value in a `Cookie` header, if any. */
export function sessionFromCookies(header: string | null): string | undefined {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const index = pair.indexOf('=')
    if (index > 0 && pair.slice(0, index).trim() === sessionCookieName) return pair.slice(index + 1).trim()
  }
  return undefined
}
