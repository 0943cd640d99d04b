/**
 * Thrown by a handler to end its job now, without retrying: the job becomes `cancelled` with this
 * message. Use it when trying again cannot help (the booking was deleted, the number is invalid).
 *
 * @example
 * run: async ({ bookingId }) => {
 *   const booking = await findBooking(bookingId)
 *   if (!booking) throw new JobCancelError(`booking ${bookingId} no longer exists`)
 * }
 */
export class JobCancelError extends Error {
  override name = 'JobCancelError'
}

/**
 * Thrown by a handler to end its job now as `failed`, without retrying: the error a retry cannot fix
 * (a provider's 400 for a bad phone number, a deleted account). The job joins the failed set with this
 * message, where an admin can see it and `retry()` it once the cause is fixed.
 *
 * @example
 * run: async ({ to }) => {
 *   const response = await sendWhatsApp(to)
 *   if (response.status === 400) throw new JobFailError(`WhatsApp rejected ${to}: ${await response.text()}`)
 * }
 */
export class JobFailError extends Error {
  override name = 'JobFailError'
}

/**
 * Thrown by a handler to run its job again later without spending an attempt (a rate limit, a
 * resource not ready yet).
 *
 * @example
 * run: async () => {
 *   if (await providerIsBusy()) throw new JobSnoozeError(60_000, 'provider busy')
 * }
 */
export class JobSnoozeError extends Error {
  override name = 'JobSnoozeError'
  readonly delayMs: number

  constructor(delayMs: number, message = `snoozed for ${delayMs} ms`) {
    super(message)
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new RangeError('JobSnoozeError needs a delay of 0 ms or more')
    this.delayMs = delayMs
  }
}
