import type { BookingDependencies } from './booking-dependencies.js'
import { invoiceTermsDays } from './generate-t5-invoices.js'

/** What one run of generate-monthly-invoices made. */
export interface MonthlyInvoiceReport {
  invoices: { id: string; customerId: string; period: string; totalCents: number }[]
}

/**
 * `generate-monthly-invoices` (daily, 02:00 UTC): for each customer billed monthly whose local date
 * (their time zone) is within the first `monthlyWindowDays` days of a month, invoices the previous
 * local month: confirmed bookings of classes that started in it, month bounds taken in the customer's
 * zone (so DST shifts are PostgreSQL's tz database's job, not ours). The first run inside the window
 * bills; a missed day inside the window is caught up by the next; a second run, or two at once, hits
 * the unique (customer, kind, period) constraint and bills nothing.
 *
 * @example
 * const report = await generateMonthlyInvoices(deps)
 */
export async function generateMonthlyInvoices(deps: BookingDependencies): Promise<MonthlyInvoiceReport> {
  const now = deps.now()
  const rows = await deps.db.query<{
    id: string
    customer_id: string
    period_key: string
    total_cents: number
  }>(
    `with due as (
       select cu.id as customer_id, cu.time_zone,
              date_trunc('month', $1::timestamptz at time zone cu.time_zone) - interval '1 month' as month_start
       from booking.customers cu
       where cu.billing = 'monthly'
         and extract(day from $1::timestamptz at time zone cu.time_zone) <= $2
     )
     insert into booking.invoices (customer_id, kind, period_key, lines, total_cents, due_at, created_at)
     select d.customer_id, 'monthly', to_char(d.month_start, 'YYYY-MM'),
            jsonb_agg(jsonb_build_object('booking_id', b.id, 'class', c.title, 'starts_at', c.starts_at,
                                         'price_cents', b.price_cents) order by c.starts_at, b.id),
            sum(b.price_cents), $1::timestamptz + $3 * interval '1 day', $1
     from due d
     join booking.bookings b on b.customer_id = d.customer_id and b.status = 'confirmed'
     -- the local month's first and next month's first instant, read in the customer's zone
     join booking.classes c on c.id = b.class_id
       and c.starts_at >= (d.month_start at time zone d.time_zone)
       and c.starts_at < ((d.month_start + interval '1 month') at time zone d.time_zone)
     group by d.customer_id, d.month_start
     on conflict (customer_id, kind, period_key) do nothing
     returning id, customer_id, period_key, total_cents`,
    [now, deps.config.monthlyWindowDays, invoiceTermsDays],
  )
  return {
    invoices: rows.rows
      .map((row) => ({
        id: row.id,
        customerId: row.customer_id,
        period: row.period_key,
        totalCents: row.total_cents,
      }))
      .sort((a, b) => Number(a.customerId) - Number(b.customerId)),
  }
}
