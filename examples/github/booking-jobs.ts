// The booking app's jobs as a jobs module for nightshift-gha: `workflows --jobs` reads their schedules
// (no database is touched), and the Action's `mode: process` opens the queue against `databaseUrl`.
import { createBookingQueue, migrateBooking, readBookingConfig } from '@nightshift/example-booking'
import pg from 'pg'

/**
 * Opens the booking queue on its own pool; `close` ends both. The booking tables are created (or
 * updated) before the queue runs, as `npm start` does.
 *
 * @example
 * // .github/workflows/…: - uses: …/packages/adapter-gha@v0
 * //   with: { mode: process, jobs-module: examples/github/booking-jobs.ts, database-url: ${{ secrets.DATABASE_URL }} }
 */
export default async function bookingQueue({ databaseUrl }: { databaseUrl: string | undefined }) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  pool.on('error', () => {}) // a dropped idle connection is replaced; queries report their own errors
  if (databaseUrl !== undefined) await migrateBooking(pool)
  const { jobs } = createBookingQueue({ db: pool, config: readBookingConfig(process.env) })
  return {
    jobs,
    close: async () => {
      await jobs.close()
      await pool.end()
    },
  }
}
