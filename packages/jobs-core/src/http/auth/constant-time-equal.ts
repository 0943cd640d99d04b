const encoder = new TextEncoder()
let comparisonKey: Promise<CryptoKey> | undefined

function keyForComparison(): Promise<CryptoKey> {
  // A random key per process: HMACs of both sides have a fixed length and reveal nothing about the
  // secret through timing, even when the inputs differ in length.
  comparisonKey ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return comparisonKey
}

/** Compares two byte arrays of equal length without an early exit. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  let difference = 0
  for (let index = 0; index < a.byteLength; index++) difference |= (a[index] as number) ^ (b[index] as number)
  return difference === 0
}

/**
 * Compares two secrets in constant time with Web Crypto only (it runs in Deno and Node unchanged):
 * both are HMAC'd under a random key, then the digests are compared without an early exit.
 */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const key = await keyForComparison()
  const [left, right] = await Promise.all([
    crypto.subtle.sign('HMAC', key, encoder.encode(a)),
    crypto.subtle.sign('HMAC', key, encoder.encode(b)),
  ])
  return equalBytes(new Uint8Array(left), new Uint8Array(right))
}
