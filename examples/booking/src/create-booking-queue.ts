import { createJobs, type Jobs, type Logger } from '@nightshift/jobs-core'
import type pg from 'pg'
import type { BookingConfig } from './booking-config.js'
import {
  type BookingDependencies,
  bookingDependencies,
  type NotificationQueue,
} from './booking-dependencies.js'
import { type BookingJobDefinitions, type BookingJobsOptions, bookingJobs } from './booking-jobs.js'

/** Options of `createBookingQueue`. */
export interface BookingQueueOptions extends BookingJobsOptions {
  db: pg.Pool
  config: BookingConfig
  now?: () => Date
  fetch?: typeof fetch
  /** nightshift's schema. Default `nightshift`. */
  schema?: string
  logger?: Logger
  /** Replace parts of the dependencies (tests give their own channels or Zoom client). */
  override?: Partial<Omit<BookingDependencies, 'queue'>>
}

/**
 * The booking example's queue, wired: dependencies from configuration, the job definitions, and the
 * nightshift `jobs` they enqueue notifications into. Run `jobs.migrate()` and `migrateBooking(pool)`
 * once before use.
 *
 * @example
 * const { jobs } = createBookingQueue({ db: pool, config: readBookingConfig(process.env) })
 * await jobs.migrate()
 * await migrateBooking(pool)
 * await jobs.enqueue('generate-t5-invoices', {})
 */
export function createBookingQueue(options: BookingQueueOptions): {
  jobs: Jobs<BookingJobDefinitions>
  deps: BookingDependencies
} {
  let jobs: Jobs<BookingJobDefinitions> | undefined
  const queue = (): NotificationQueue => {
    if (!jobs) throw new Error('the booking queue is not created yet')
    return jobs as unknown as NotificationQueue
  }
  const deps = {
    ...bookingDependencies({
      db: options.db,
      config: options.config,
      queue,
      now: options.now,
      fetch: options.fetch,
    }),
    ...options.override,
  }
  const definitions = bookingJobs(deps, { backoff: options.backoff })
  jobs = createJobs({ db: options.db, jobs: definitions, schema: options.schema, logger: options.logger })
  return { jobs, deps }
}
