/**
 * A contract error a function answered (`ok: false`), or an answer that is not the contract's.
 *
 * @example
 * try {
 *   await invokeJob(supabase, 'send-report', { to: 'ada@example.com' })
 * } catch (error) {
 *   if (error instanceof InvokeJobError && error.code === 'job_failed') console.log(error.body?.jobId)
 * }
 */
export class InvokeJobError extends Error {
  override name = 'InvokeJobError'
  constructor(
    message: string,
    /** The contract's error code (`unauthorized`, `invalid_input`, `job_failed`, …), or `invoke_failed`. */
    readonly code: string,
    /** The HTTP status, when an answer came. */
    readonly status: number | undefined,
    /** The contract's JSON body, when there was one (`jobId` and `status` for `job_failed`). */
    readonly body: Record<string, unknown> | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
