import type { Caller } from '../handler-routes.js'
import { HttpError } from '../http-responses.js'
import type { ResolvedAuth } from './auth-options.js'
import { matchToken, tokenOf } from './bearer-auth.js'
import { signatureHeader, verifySignature } from './signed-request.js'

/**
 * Says who may do what: the scope of the secret the request carries, or a 401. A signature, when
 * present, decides alone (a bad signature is not rescued by a token); it is checked against the
 * request's method, `path` (the route relative to the handler's base) and body.
 */
export async function authenticateRequest(
  request: Request,
  body: Uint8Array,
  auth: ResolvedAuth,
  options: { header: string | undefined; now: Date; path: string },
): Promise<Caller> {
  if (auth.none) return { scope: '*' }
  const signature = request.headers.get(signatureHeader)
  if (signature !== null && auth.signingKeys.length > 0) {
    const verified = await verifySignature(
      signature,
      { method: request.method, path: options.path, body },
      auth.signingKeys,
      { now: options.now, toleranceSeconds: auth.toleranceSeconds },
    )
    if ('reason' in verified) throw new HttpError('unauthorized', verified.reason)
    return {
      scope: verified.key.scope,
      signature: { value: verified.signature, expiresAt: verified.expiresAt },
    }
  }
  const token = tokenOf(request.headers, options.header)
  if (token === undefined) {
    const where = options.header
      ? `the ${options.header} header or Authorization: Bearer`
      : 'Authorization: Bearer'
    throw new HttpError('unauthorized', `a token is required in ${where}`)
  }
  const match = auth.tokens.length > 0 ? await matchToken(token, auth.tokens) : undefined
  // The token itself is never echoed back.
  if (!match) throw new HttpError('unauthorized', 'the token is not valid')
  return { scope: match.scope }
}
