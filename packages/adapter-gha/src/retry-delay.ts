/** The longest the step waits between two attempts, whatever `Retry-After` asks. */
export const longestRetryDelayMs = 60_000

/**
 * How long to wait before attempt `attempt + 1`: the server's `Retry-After` (seconds or an HTTP date)
 * when it sends one, else 1 s doubling (1, 2, 4 … s) with up to 20% jitter, so runs of many
 * workflows that failed together do not come back together. Capped at a minute.
 *
 * @example
 * retryDelayMs(0, null) // about 1,000
 * retryDelayMs(2, '7') // 7,000
 */
export function retryDelayMs(attempt: number, retryAfter: string | null, now = Date.now()): number {
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const text = retryAfter.trim()
    const seconds = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now
    if (Number.isFinite(seconds)) return Math.min(longestRetryDelayMs, Math.max(0, seconds))
  }
  const base = 1000 * 2 ** attempt
  return Math.min(longestRetryDelayMs, Math.round(base * (1 + Math.random() * 0.2)))
}
