/**
 * How hard the chaos tests push, read once from `NIGHTSHIFT_CHAOS`: `smoke` (the default, a bounded
 * run small enough for `npm test` and CI) or `full` (`npm run test:chaos`: tens of thousands of jobs,
 * many kills). Any other value is refused, so a typo never silently runs the small scale.
 *
 * @example
 * import { byScale, chaosScale } from './support/scale.js'
 * const jobs = byScale(2_000, 40_000)
 * console.log(`chaos at ${chaosScale} scale: ${jobs} jobs`)
 */
export type ChaosScale = 'smoke' | 'full'

function readScale(value: string | undefined): ChaosScale {
  if (value === undefined || value === '' || value === 'smoke') return 'smoke'
  if (value === 'full') return 'full'
  throw new Error(`NIGHTSHIFT_CHAOS must be "smoke" or "full", got ${JSON.stringify(value)}`)
}

/** The scale this run uses: `smoke` unless `NIGHTSHIFT_CHAOS=full`. */
export const chaosScale: ChaosScale = readScale(process.env.NIGHTSHIFT_CHAOS)

/**
 * Picks the value for the current scale.
 *
 * @example
 * const kills = byScale(1, 20)
 */
export function byScale<T>(smoke: T, full: T): T {
  return chaosScale === 'full' ? full : smoke
}
