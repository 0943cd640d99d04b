// `npm run adopt -w @nightshift/example-booking [-- table]`: moves the pending rows of the app's
// notifications_queue into nightshift jobs, once. Safe to run again. Needs DATABASE_URL.
import pg from 'pg'
import { adoptNotificationsQueue } from './adopt-notifications-queue.js'
import { readBookingConfig } from './booking-config.js'
import { createBookingQueue } from './create-booking-queue.js'
import { migrateBooking } from './migrate-booking.js'

const url = process.env.DATABASE_URL
if (!url) {
  console.error('adopt: set DATABASE_URL to the database that holds notifications_queue')
  process.exit(2)
}
const table = process.argv[2] ?? process.env.NOTIFICATIONS_QUEUE_TABLE ?? 'notifications_queue'
const pool = new pg.Pool({ connectionString: url, max: 2 })
const { jobs } = createBookingQueue({ db: pool, config: readBookingConfig(process.env) })
try {
  await jobs.migrate()
  await migrateBooking(pool)
  const report = await adoptNotificationsQueue({ db: pool, jobs, table })
  const created = report.adopted.filter((row) => row.created).length
  console.log(`adopted ${report.adopted.length} pending row(s) of ${table} (${created} new job(s))`)
  for (const row of report.skipped) console.log(`  left row ${row.oldId} pending: ${row.reason}`)
} catch (error) {
  console.error(`adopt failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await jobs.close()
  await pool.end()
}
