/**
 * How hard the chaos tests push: `smoke` (the default, bounded for CI) or `full` (the published
 * figures), from `NIGHTSHIFT_CHAOS`.
 *
 * @example
 * // NIGHTSHIFT_CHAOS=full npx vitest run chaos/
 * const requests = byScale(300, 10_000)
 */
export const chaosScale: 'smoke' | 'full' = process.env.NIGHTSHIFT_CHAOS === 'full' ? 'full' : 'smoke'

/** `smoke` at the smoke scale, `full` at the full one. */
export function byScale<T>(smoke: T, full: T): T {
  return chaosScale === 'full' ? full : smoke
}
