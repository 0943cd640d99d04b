/** How long a failed job waits before its next attempt. */
export interface BackoffOptions {
  /** Delay before the second attempt, before jitter. Default 1,000 ms. */
  baseMs?: number
  /** Largest delay. Default one hour. */
  maxMs?: number
}

export const defaultBackoff: Required<BackoffOptions> = { baseMs: 1000, maxMs: 3_600_000 }

/**
 * Exponential backoff with "full jitter": a uniform delay in [d/2, d] where d = base·2^(attempt−1),
 * capped at max. Jitter spreads the retries of many jobs that failed together (a provider outage).
 *
 * @example
 * backoffDelayMs(3, { baseMs: 1000, maxMs: 60_000 }) // between 2,000 and 4,000
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}, random = Math.random): number {
  const { baseMs, maxMs } = { ...defaultBackoff, ...options }
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exponential / 2 + (random() * exponential) / 2)
}
