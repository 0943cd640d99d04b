import { NightshiftError } from '../../errors.js'
import type { ScopedSecret } from './auth-options.js'
import { equalBytes } from './constant-time-equal.js'
import { hmacHex } from './hmac-hex.js'

const encoder = new TextEncoder()

/**
 * What a signature covers: the method, the route's path and the body. `path` is the route relative to
 * where the handler is mounted (`/<job-name>`, `/jobs/42`, `/tick`), not the URL's full path: a
 * handler under Express's `app.use('/functions/v1', …)` or Supabase's `/functions/v1/<function>` sees
 * another prefix than the caller sends, but the same route, so a signature means the same on every host.
 */
export interface SignedRequest {
  /** `POST`, `GET`, …; upper-cased before signing. */
  method: string
  /**
   * `/` and the route's segments after the base path, as they appear in the URL (percent-encoded as
   * sent), without the query string or a trailing slash: `/run-escalation-orchestration`.
   */
  path: string
  /** The raw body, byte for byte as sent; empty when there is none. */
  body?: string | Uint8Array
}

/** The header name `sign()`'s value goes in. */
export const signatureHeader = 'x-nightshift-signature'

function bytesOf(body: string | Uint8Array | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0)
  return typeof body === 'string' ? encoder.encode(body) : body
}

/**
 * `"<t>\n<METHOD>\n<path>\n"` followed by the body's bytes. A newline cannot occur in `t`, a method
 * or a URL's path (the URL parser drops or encodes it), so no two requests share a signed payload.
 */
function signedPayload(timestamp: number, request: SignedRequest): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}\n${request.method.toUpperCase()}\n${request.path}\n`)
  const body = bytesOf(request.body)
  const payload = new Uint8Array(prefix.byteLength + body.byteLength)
  payload.set(prefix, 0)
  payload.set(body, prefix.byteLength)
  return payload
}

/**
 * Signs a request for the `x-nightshift-signature` header:
 * `t=<unix seconds>,v2=<hex HMAC-SHA256(key, "<t>\n<METHOD>\n<path>\n<raw body>")>`, where `path` is
 * the route relative to the handler's base (see {@link SignedRequest}). The signature is good for one
 * method, one route and one body, within the handler's tolerance (default 300 s) either way; a request
 * that makes a new run (`force`, or a job without a schedule) is accepted once per signature.
 *
 * By hand, with Node's crypto: `createHmac('sha256', key).update(t + '\nPOST\n/my-job\n' + body).digest('hex')`,
 * sent as `t=<t>,v2=<that hex>`.
 *
 * @example
 * const body = JSON.stringify({ force: false })
 * const signature = await sign({ method: 'POST', path: '/run-escalation-orchestration', body }, key)
 * await fetch(`${base}/functions/v1/run-escalation-orchestration`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json', [signatureHeader]: signature },
 *   body,
 * })
 */
export async function sign(
  request: SignedRequest,
  key: string,
  options: { now?: Date } = {},
): Promise<string> {
  if (typeof request !== 'object' || request === null || typeof request.path !== 'string') {
    // The first form, sign(body, key), signed the body alone and could be replayed to any route.
    throw new NightshiftError(
      'invalid_option',
      "sign() takes { method, path, body }: the signature covers the route too, e.g. sign({ method: 'POST', path: '/my-job', body }, key)",
    )
  }
  if (typeof request.method !== 'string' || !/^[A-Za-z]+$/.test(request.method)) {
    throw new NightshiftError(
      'invalid_option',
      `sign(): method must be an HTTP method like 'POST', got ${JSON.stringify(request.method)}`,
    )
  }
  if (!request.path.startsWith('/') || /[\s?#]/.test(request.path)) {
    throw new NightshiftError(
      'invalid_option',
      `sign(): path must be the route relative to the handler's base, like '/my-job' (no query), got ${JSON.stringify(request.path.slice(0, 100))}`,
    )
  }
  const timestamp = Math.floor((options.now ?? new Date()).getTime() / 1000)
  return `t=${timestamp},v2=${await hmacHex(key, signedPayload(timestamp, request))}`
}

/** A signature that verified: the key it matched, and how long it stays acceptable. */
export interface VerifiedSignature {
  key: ScopedSecret
  /** The matching `v2` value, lower-case hex: what a replay would carry again. */
  signature: string
  /** When the signature's time leaves the tolerance; after it, the signature is refused anyway. */
  expiresAt: Date
}

/**
 * Verifies a signature header against every key (rotation) and returns the matching key's entry, or
 * why it failed. Every key is checked, match or not, so timing does not tell which key matched.
 */
export async function verifySignature(
  header: string,
  request: Required<SignedRequest>,
  keys: readonly ScopedSecret[],
  options: { now: Date; toleranceSeconds: number },
): Promise<VerifiedSignature | { reason: string }> {
  let timestamp: number | undefined
  let bodyOnly = false
  const signatures: string[] = []
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2)
    if (name === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value)
    else if (name === 'v2' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase())
    else if (name === 'v1') bodyOnly = true
  }
  if (signatures.length === 0 && bodyOnly) {
    return {
      reason: `${signatureHeader} v1 signed the body alone and is no longer accepted: sign method, path and body (v2), see sign()`,
    }
  }
  if (timestamp === undefined || signatures.length === 0) {
    return { reason: `the ${signatureHeader} header must look like t=<unix seconds>,v2=<hex>` }
  }
  const skew = Math.abs(Math.floor(options.now.getTime() / 1000) - timestamp)
  if (skew > options.toleranceSeconds) {
    return { reason: `the signature's time is outside the ${options.toleranceSeconds} s tolerance` }
  }
  const payload = signedPayload(timestamp, request)
  let found: { key: ScopedSecret; signature: string } | undefined
  for (const key of keys) {
    const expected = encoder.encode(await hmacHex(key.secret, payload))
    for (const signature of signatures) {
      if (equalBytes(expected, encoder.encode(signature)) && !found) found = { key, signature }
    }
  }
  if (!found) return { reason: 'the signature does not match this method, path and body' }
  return { ...found, expiresAt: new Date((timestamp + options.toleranceSeconds) * 1000) }
}
