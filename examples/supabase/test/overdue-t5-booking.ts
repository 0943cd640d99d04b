import type pg from 'pg'

/**
 * Inserts what gives the example's jobs one piece of work each: a T5 customer with e-mail only (Ada), a
 * class at noon of the UTC day the latest 01:00 slot of generate-t5-invoices bills (the day before the
 * slot's), and her confirmed booking of 2500 cents, unpaid and 30 days overdue. generate-t5-invoices
 * bills it as one invoice; escalate-overdue-bookings steps it to level 1 and enqueues one payment
 * reminder by e-mail, which notification-worker sends (into the outbox).
 *
 * @example
 * await insertOverdueT5Booking(pool)
 */
export async function insertOverdueT5Booking(db: pg.Pool): Promise<void> {
  await db.query(`
    with cu as (insert into booking.customers (name, email) values ('Ada', 'ada@example.com') returning id),
         cl as (insert into booking.classes (title, starts_at, duration_minutes, instructor)
                values ('Algebra', date_trunc('day', now() - interval '1 hour', 'UTC') - interval '12 hours', 60, 'Grace')
                returning id)
    insert into booking.bookings (customer_id, class_id, price_cents, status, payment_due_at)
    select cu.id, cl.id, 2500, 'confirmed', now() - interval '30 days' from cu, cl`)
}
