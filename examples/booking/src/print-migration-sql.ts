// `npm run migration-sql -w @nightshift/example-booking > booking.sql`: the booking schema as one SQL script.
import { bookingMigrationSql } from './booking-migration-sql.js'

process.stdout.write(bookingMigrationSql())
