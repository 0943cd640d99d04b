const encoder = new TextEncoder()

/** Hex HMAC-SHA256 of `message` under `key`, with Web Crypto only (Node 20 and Deno alike). */
export async function hmacHex(key: string, message: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const bytes = typeof message === 'string' ? encoder.encode(message) : message
  const digest = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, bytes))
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
}
