import { messageOf } from '../errors.js'
import type { Logger } from '../logger.js'
import { HttpError } from './http-responses.js'

/**
 * How long past its deadline a route's answer may still come before the handler answers 503 for it.
 * A route whose database answers ends its own work at the deadline (the drain stops claiming, a trigger
 * answers `running`), then makes its last reads and writes its answer: milliseconds, or more on a busy
 * machine. Only a route waiting on a database that does not answer is still at work this long after.
 */
export const deadlineGraceMs = 2_000

/**
 * A route's answer, or 503 `database_unavailable` once `deadlineMs` (plus `deadlineGraceMs`) has
 * passed without one: a database that hangs (connections open, nothing answering) holds a statement
 * until `queryTimeoutMs`, far past what a serverless caller waits. The work given up on is not
 * stopped: each of its writes is one statement or one transaction, fenced or keyed, so it lands whole
 * or not at all when the database answers; its late outcome is logged (by message), never thrown.
 *
 * @example
 * const response = await withinDeadline(route.handle(context), 20_000, jobs.logger)
 */
export async function withinDeadline(
  work: Promise<Response>,
  deadlineMs: number,
  logger: Logger,
): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined
  let expired = false
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      expired = true
      reject(
        new HttpError(
          'database_unavailable',
          `the database did not answer within the handler's deadline (${deadlineMs} ms); try again later`,
        ),
      )
    }, deadlineMs + deadlineGraceMs)
  })
  try {
    return await Promise.race([work, expiry])
  } finally {
    clearTimeout(timer)
    if (expired) {
      logger.error('nightshift handler: the database did not answer within the deadline; answered 503', {
        deadlineMs,
      })
      // Nobody awaits the work any more: what it does when the database answers is logged here, so a
      // late failure is no unhandled rejection and a late success (a trigger's enqueue committing after
      // the 503) is on record.
      work.then(
        (response) =>
          logger.warn('nightshift handler: a request answered 503 at its deadline finished later', {
            status: response.status,
          }),
        (error: unknown) =>
          logger.warn('nightshift handler: a request answered 503 at its deadline failed later', {
            error: messageOf(error),
          }),
      )
    }
  }
}
