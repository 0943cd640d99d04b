// `npm run seed -w @nightshift/example-booking`: creates nightshift's and the example's tables and
// fills an empty booking schema with demo data. Needs DATABASE_URL.
import pg from 'pg'
import { readBookingConfig } from './booking-config.js'
import { createBookingQueue } from './create-booking-queue.js'
import { migrateBooking } from './migrate-booking.js'
import { seedDemoData } from './seed-demo-data.js'

const url = process.env.DATABASE_URL
if (!url) {
  console.error('seed: set DATABASE_URL')
  process.exit(2)
}
const pool = new pg.Pool({ connectionString: url, max: 2 })
const { jobs } = createBookingQueue({ db: pool, config: readBookingConfig(process.env) })
try {
  await jobs.migrate()
  await migrateBooking(pool)
  const result = await seedDemoData(pool)
  console.log(
    result.seeded
      ? `seeded ${result.customers} customers, ${result.classes} classes, ${result.bookings} bookings`
      : 'booking.customers is not empty: nothing seeded',
  )
} catch (error) {
  console.error(`seed failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await jobs.close()
  await pool.end()
}
