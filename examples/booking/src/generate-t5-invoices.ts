import { periodOf, previousPeriod } from '@nightshift/jobs-core'
import type { BookingDependencies } from './booking-dependencies.js'
import type { InvoiceRunOptions } from './invoice-run-options.js'

/** Days between an invoice and its due date. */
export const invoiceTermsDays = 14

/** What one run of generate-t5-invoices made. */
export interface T5InvoiceReport {
  /** The UTC days looked at, oldest first ('2026-03-04'). */
  days: string[]
  invoices: { id: string; customerId: string; period: string; totalCents: number }[]
}

/**
 * `generate-t5-invoices` (01:00 UTC): one T5 invoice per customer and UTC day of billable activity
 * (confirmed bookings of classes that started that day). A run bills the UTC day before its slot, so a
 * missed slot caught up late still bills its own day; it also looks `t5CatchUpDays` further back for
 * days no run billed (slots the catch-up policy dropped). The unique (customer, kind, period)
 * constraint makes a second run, or two at once, insert nothing. The invoice's date and due date are
 * the clock's: when it was really made.
 *
 * @example
 * const report = await ctx.transaction((tx) => generateT5Invoices(deps, { slot: ctx.slot, db: tx }))
 */
export async function generateT5Invoices(
  deps: BookingDependencies,
  options: InvoiceRunOptions = {},
): Promise<T5InvoiceReport> {
  const now = deps.now()
  const db = options.db ?? deps.db
  const at = options.slot ?? now
  const until = periodOf('day', at).start
  const from = previousPeriod('day', at, 'UTC', -deps.config.t5CatchUpDays).start
  const rows = await db.query<{
    id: string
    customer_id: string
    period_key: string
    total_cents: number
  }>(
    `insert into booking.invoices (customer_id, kind, period_key, lines, total_cents, due_at, created_at)
     select b.customer_id, 't5', to_char(c.starts_at at time zone 'UTC', 'YYYY-MM-DD'),
            jsonb_agg(jsonb_build_object('booking_id', b.id, 'class', c.title, 'starts_at', c.starts_at,
                                         'price_cents', b.price_cents) order by c.starts_at, b.id),
            sum(b.price_cents), $3::timestamptz + $4 * interval '1 day', $3
     from booking.bookings b
     join booking.classes c on c.id = b.class_id
     join booking.customers cu on cu.id = b.customer_id and cu.billing = 't5'
     where b.status = 'confirmed' and c.starts_at >= $1 and c.starts_at < $2
     group by b.customer_id, 3
     on conflict (customer_id, kind, period_key) do nothing
     returning id, customer_id, period_key, total_cents`,
    [from, until, now, invoiceTermsDays],
  )
  const days: string[] = []
  for (let day = periodOf('day', from); day.start < until; day = periodOf('day', day.end)) days.push(day.key)
  return {
    days,
    invoices: rows.rows
      .map((row) => ({
        id: row.id,
        customerId: row.customer_id,
        period: row.period_key,
        totalCents: row.total_cents,
      }))
      .sort((a, b) => a.period.localeCompare(b.period) || Number(a.customerId) - Number(b.customerId)),
  }
}
