import type { ScopedSecret } from './auth-options.js'
import { equalBytes } from './constant-time-equal.js'
import { hmacHex } from './hmac-hex.js'

const encoder = new TextEncoder()

function signedPayload(timestamp: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}.`)
  const payload = new Uint8Array(prefix.byteLength + body.byteLength)
  payload.set(prefix, 0)
  payload.set(body, prefix.byteLength)
  return payload
}

function bytesOf(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body
}

/**
 * Signs a request body for the `x-nightshift-signature` header:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<raw body>")>`. Send the body byte for byte as
 * signed; the handler rejects a signature older or newer than its tolerance (default 300 s).
 *
 * @example
 * const body = JSON.stringify({ force: false })
 * await fetch(`${url}/run-escalation-orchestration`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json', 'x-nightshift-signature': await sign(body, key) },
 *   body,
 * })
 */
export async function sign(
  body: string | Uint8Array,
  key: string,
  options: { now?: Date } = {},
): Promise<string> {
  const timestamp = Math.floor((options.now ?? new Date()).getTime() / 1000)
  return `t=${timestamp},v1=${await hmacHex(key, signedPayload(timestamp, bytesOf(body)))}`
}

/** The header name `sign()`'s value goes in. */
export const signatureHeader = 'x-nightshift-signature'

/**
 * Verifies a signature header against every key (rotation) and returns the matching key's entry, or
 * why it failed. Every key is checked, match or not, so timing does not tell which key matched.
 */
export async function verifySignature(
  header: string,
  body: Uint8Array,
  keys: readonly ScopedSecret[],
  options: { now: Date; toleranceSeconds: number },
): Promise<{ key: ScopedSecret } | { reason: string }> {
  let timestamp: number | undefined
  const signatures: string[] = []
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2)
    if (name === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value)
    else if (name === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase())
  }
  if (timestamp === undefined || signatures.length === 0) {
    return { reason: `the ${signatureHeader} header must look like t=<unix seconds>,v1=<hex>` }
  }
  const skew = Math.abs(Math.floor(options.now.getTime() / 1000) - timestamp)
  if (skew > options.toleranceSeconds) {
    return { reason: `the signature's time is outside the ${options.toleranceSeconds} s tolerance` }
  }
  const payload = signedPayload(timestamp, body)
  let found: ScopedSecret | undefined
  for (const key of keys) {
    const expected = encoder.encode(await hmacHex(key.secret, payload))
    for (const signature of signatures) {
      if (equalBytes(expected, encoder.encode(signature)) && !found) found = key
    }
  }
  return found ? { key: found } : { reason: 'the signature does not match' }
}
