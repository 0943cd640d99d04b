import pg from 'pg'
import { readBookingConfig } from './booking-config.js'
import { bookingDependencies } from './booking-dependencies.js'
import { type BookingJobDefinitions, bookingJobs } from './booking-jobs.js'

/**
 * The booking jobs' definitions for tools that read their names and schedules (the Supabase Cron SQL),
 * with the configuration's defaults and a database pool that is never connected: running them needs
 * `createBookingQueue`.
 *
 * @example
 * // NODE_OPTIONS='--import tsx' npx nightshift-supabase cron --jobs examples/booking/src/booking-job-definitions.ts#bookingJobDefinitions --out supabase/cron
 * const names = bookingJobDefinitions().map((definition) => definition.name)
 */
export function bookingJobDefinitions(): BookingJobDefinitions {
  const deps = bookingDependencies({
    // pg opens connections on first use; nothing here queries.
    db: new pg.Pool({ max: 1 }),
    config: readBookingConfig({}),
    queue: () => {
      throw new Error(
        'bookingJobDefinitions() are for reading schedules; run the jobs with createBookingQueue',
      )
    },
  })
  return bookingJobs(deps)
}
