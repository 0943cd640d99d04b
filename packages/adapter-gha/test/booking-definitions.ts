import { bookingDependencies, bookingJobs, readBookingConfig } from '@nightshift/example-booking'
import type { AnyJobDefinition } from '@nightshift/jobs-core'
import pg from 'pg'

/**
 * The booking app's job definitions, for generating workflows: nothing connects (a pg Pool connects on
 * its first query), and the queue is never asked for.
 */
export function bookingDefinitions(): AnyJobDefinition[] {
  const pool = new pg.Pool()
  const deps = bookingDependencies({
    db: pool,
    config: readBookingConfig({}),
    queue: () => {
      throw new Error('generating workflows enqueues nothing')
    },
  })
  return [...bookingJobs(deps)]
}
