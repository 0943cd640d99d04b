/** How one request ended: its status and body, or that the client gave up on it, or a network error. */
export type Outcome =
  | { kind: 'answered'; status: number; body: string }
  | { kind: 'timeout' }
  | { kind: 'network-error'; message: string }

/**
 * `fetch` with a client timeout, never throwing: a chaos test counts hung requests (`timeout`) and
 * broken connections (`network-error`) instead of failing on the first. Pick a timeout well above the
 * host's own deadline, so a `timeout` means the host hung, not that it was slow within its deadline.
 *
 * @example
 * const outcome = await timedFetch(`${base}/health`, {}, 60_000)
 * if (outcome.kind === 'timeout') hung++
 */
export async function timedFetch(url: string, init: RequestInit, timeoutMs: number): Promise<Outcome> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
    return { kind: 'answered', status: response.status, body: await response.text() }
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { kind: 'timeout' }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    return { kind: 'network-error', message: cause?.code ?? cause?.message ?? (error as Error).message }
  }
}
