import type { Logger } from '@nightshift/jobs-core'

interface EdgeHost {
  EdgeRuntime?: { waitUntil?(promise: Promise<unknown>): void }
  addEventListener?(type: string, listener: () => void): void
}

/**
 * Keeps the isolate alive until `work` settles, with Supabase's `EdgeRuntime.waitUntil` where it
 * exists (https://supabase.com/docs/guides/functions/background-tasks); elsewhere the work just runs on
 * and, if the isolate dies first, its jobs return to `pending` when their lease expires.
 *
 * @example
 * keepAliveUntil(jobs.whenIdle())
 */
export function keepAliveUntil(work: Promise<unknown>): void {
  const runtime = (globalThis as EdgeHost).EdgeRuntime
  if (typeof runtime?.waitUntil === 'function') runtime.waitUntil(work.catch(() => {}))
}

/**
 * Runs `close` once when the runtime says it is about to stop the isolate (`beforeunload`, which
 * Supabase's runtime dispatches before a shutdown:
 * https://supabase.com/docs/guides/functions/background-tasks), so its connections do not linger in
 * the pooler. Does nothing where there is no global `addEventListener` (Node).
 *
 * @example
 * onUnload(() => jobs.close(), jobs.logger)
 */
export function onUnload(close: () => Promise<void>, logger: Logger): void {
  const host = globalThis as EdgeHost
  if (typeof host.addEventListener !== 'function') return
  let closed = false
  host.addEventListener('beforeunload', () => {
    // The event may come more than once (Deno dispatches it again if the loop is kept alive).
    if (closed) return
    closed = true
    close().catch((error: unknown) =>
      logger.error('nightshift: closing on beforeunload failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
    )
  })
}
