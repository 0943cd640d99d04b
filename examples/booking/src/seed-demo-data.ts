import type pg from 'pg'
import { inTransaction } from './in-transaction.js'

const hour = 3_600_000
const day = 24 * hour

/**
 * Fills an empty `booking` schema with a small school: customers in three time zones (T5 and monthly
 * billing, with and without WhatsApp), classes in the past and in the next hours (without meetings),
 * and bookings that are paid, unpaid, overdue and unconfirmed, so every job has work. Does nothing when
 * customers exist already.
 *
 * @example
 * await seedDemoData(pool)
 */
export async function seedDemoData(
  db: pg.Pool,
  options: { now?: Date } = {},
): Promise<{ seeded: boolean; customers: number; classes: number; bookings: number }> {
  const now = options.now ?? new Date()
  return inTransaction(db, async (client) => {
    // Two seeders at once: the second waits here, then sees the customers and stops.
    await client.query('lock table booking.customers in exclusive mode')
    const existing = await client.query('select 1 from booking.customers limit 1')
    if (existing.rowCount) return { seeded: false, customers: 0, classes: 0, bookings: 0 }
    const customers = await client.query<{ id: string }>(
      `insert into booking.customers (name, email, whatsapp_number, time_zone, billing) values
         ('Ada Lovelace', 'ada@example.com', '+447700900001', 'Europe/London', 't5'),
         ('Grace Hopper', 'grace@example.com', null, 'America/New_York', 'monthly'),
         ('Katherine Johnson', 'katherine@example.com', '+15550100002', 'America/Los_Angeles', 'monthly'),
         ('Hedy Lamarr', 'hedy@example.com', null, 'Europe/Vienna', 't5')
       returning id`,
    )
    const ids = customers.rows.map((row) => row.id)
    const at = (offsetMs: number) => new Date(now.getTime() + offsetMs)
    const classes = await client.query<{ id: string }>(
      `insert into booking.classes (title, starts_at, duration_minutes, instructor) values
         ('Morning yoga', $1, 60, 'Lin'),
         ('Pilates', $2, 45, 'Sam'),
         ('Evening yoga', $3, 60, 'Lin'),
         ('Breathing', $4, 30, 'Ana'),
         ('Strength', $5, 50, 'Sam')
       returning id`,
      [at(-40 * day), at(-26 * hour), at(-20 * hour), at(3 * hour), at(30 * hour)],
    )
    const c = classes.rows.map((row) => row.id)
    // (customer, class, price, status, payment due, paid)
    const bookings: [string, string, number, string, Date | null, Date | null][] = [
      [ids[0] as string, c[0] as string, 2000, 'confirmed', at(-39 * day), at(-39 * day)],
      [ids[1] as string, c[0] as string, 2000, 'confirmed', at(-30 * day), null], // long overdue
      [ids[0] as string, c[1] as string, 1500, 'confirmed', at(-2 * day), null], // overdue
      [ids[3] as string, c[2] as string, 1800, 'confirmed', at(5 * day), null], // unpaid, not yet due
      [ids[2] as string, c[2] as string, 1800, 'confirmed', at(-1 * day), at(-1 * day)],
      [ids[0] as string, c[3] as string, 1200, 'confirmed', at(7 * day), null],
      [ids[2] as string, c[3] as string, 1200, 'pending', at(7 * day), null], // unconfirmed
      [ids[3] as string, c[4] as string, 2500, 'confirmed', at(7 * day), null],
    ]
    for (const [customer, klass, price, status, due, paid] of bookings) {
      await client.query(
        `insert into booking.bookings (customer_id, class_id, price_cents, status, payment_due_at, paid_at, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [customer, klass, price, status, due, paid, at(-3 * day)],
      )
    }
    return { seeded: true, customers: ids.length, classes: c.length, bookings: bookings.length }
  })
}
