import type { TransactionClient } from '@nightshift/jobs-core'
import type { BookingDependencies } from './booking-dependencies.js'
import { inTransaction } from './in-transaction.js'
import { formatAmount, notifyAdmin, notifyCustomer } from './notify.js'
import type { ScheduledRunOptions } from './scheduled-run-options.js'

/** One overdue booking stepped up. */
export interface OverdueStep {
  bookingId: string
  level: number
  adminAlerted: boolean
}

/**
 * `escalate-overdue-bookings` (06:00 UTC): every unpaid, not cancelled booking past its payment due
 * date steps up one level, at most once per UTC day, up to `overdueMaxLevel`: the client gets a payment
 * reminder, and from `overdueAdminFromLevel` on the admin is alerted too.
 *
 * The whole run is one transaction: given `db` (the job passes `ctx.transaction`'s `tx`), its steps and
 * the messages they enqueue commit together with the job's completion, so a run that lost its lease
 * (another worker re-ran the job) lands no step and no message. Without `db` it opens its own
 * transaction on `deps.db`. The step row stays unique per (booking, level): the second line of defence,
 * for two different jobs acting at once (a scheduled run and a manual one), which the fence of one job
 * does not order; the second waits for the first's commit and then takes nothing.
 *
 * "Overdue" and "today" are the run's slot's (the clock's without one), and the step is recorded at
 * the slot: a day's run that ends up running after midnight (retries, a late trigger) still takes that
 * day's step and leaves the next day's to the next day's run.
 *
 * @example
 * run: (_input, ctx) => ctx.transaction((tx) => escalateOverdueBookings(deps, { slot: ctx.slot, db: tx }))
 */
export async function escalateOverdueBookings(
  deps: BookingDependencies,
  options: ScheduledRunOptions = {},
): Promise<{ stepped: OverdueStep[] }> {
  const run = (client: TransactionClient) => stepOverdueBookings(deps, client, options.slot ?? deps.now())
  return options.db ? run(options.db) : inTransaction(deps.db, run)
}

async function stepOverdueBookings(
  deps: BookingDependencies,
  client: TransactionClient,
  now: Date,
): Promise<{ stepped: OverdueStep[] }> {
  const { rows } = await client.query<{
    id: string
    name: string
    email: string
    whatsapp_number: string | null
    title: string
    price_cents: number
    payment_due_at: Date
    level: number
  }>(
    `select b.id, cu.name, cu.email, cu.whatsapp_number, c.title, b.price_cents, b.payment_due_at,
            coalesce(max(e.level), 0) as level
     from booking.bookings b
     join booking.customers cu on cu.id = b.customer_id
     join booking.classes c on c.id = b.class_id
     left join booking.escalations e on e.subject_kind = 'overdue-booking' and e.subject_id = b.id
     where b.paid_at is null and b.status <> 'cancelled' and b.payment_due_at < $1
     group by b.id, cu.id, c.id
     -- at most one step per UTC day: none taken yet today
     having coalesce(max(e.escalated_at), '-infinity') < date_trunc('day', $1::timestamptz at time zone 'UTC') at time zone 'UTC'
        and coalesce(max(e.level), 0) < $2
     order by b.id`,
    [now, deps.config.overdueMaxLevel],
  )
  const stepped: OverdueStep[] = []
  for (const booking of rows) {
    const level = booking.level + 1
    const adminAlerted = level >= deps.config.overdueAdminFromLevel
    const inserted = await client.query(
      `insert into booking.escalations (subject_kind, subject_id, level, escalated_at)
       values ('overdue-booking', $1, $2, $3) on conflict (subject_kind, subject_id, level) do nothing returning id`,
      [booking.id, level, now],
    )
    // Taken by another job's run that committed first: its messages went with it.
    if (inserted.rowCount === 0) continue
    const key = `overdue-booking:${booking.id}:${level}`
    await notifyCustomer(
      deps,
      client,
      booking,
      'payment_reminder',
      {
        name: booking.name,
        amount: formatAmount(booking.price_cents),
        due: booking.payment_due_at.toISOString().slice(0, 10),
      },
      `${key}:customer`,
    )
    if (adminAlerted) {
      await notifyAdmin(
        deps,
        client,
        {
          subject: `booking ${booking.id} overdue, level ${level}`,
          detail: `${booking.name}: ${booking.title}, ${formatAmount(booking.price_cents)} due ${booking.payment_due_at.toISOString()}`,
        },
        `${key}:admin`,
      )
    }
    stepped.push({ bookingId: booking.id, level, adminAlerted })
  }
  return { stepped }
}
