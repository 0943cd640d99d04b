import { periodOf, previousPeriod } from '@nightshift/jobs-core'
import type { BookingDependencies } from './booking-dependencies.js'
import { invoiceTermsDays } from './generate-t5-invoices.js'
import type { InvoiceRunOptions } from './invoice-run-options.js'

/** What one run of generate-monthly-invoices made. */
export interface MonthlyInvoiceReport {
  invoices: { id: string; customerId: string; period: string; totalCents: number }[]
  /** Customers not billed because their time zone is unknown (fix the row; the next run bills them). */
  skipped: { customerId: string; reason: string }[]
}

/**
 * `generate-monthly-invoices` (daily, 02:00 UTC): for each customer billed monthly whose local date
 * (their time zone) on the run's slot is within the first `monthlyWindowDays` days of a month,
 * invoices the previous local month (`previousPeriod('month', slot, zone)`): confirmed bookings of
 * classes that started in it, the bounds being the local midnights, whatever DST did in between. The
 * first run inside the window bills; a missed slot inside the window, caught up however late, still
 * decides by its own date; a second run, or two at once, hits the unique (customer, kind, period)
 * constraint and bills nothing. Without a slot (a plain enqueue) the clock's now decides.
 *
 * @example
 * const report = await ctx.transaction((tx) => generateMonthlyInvoices(deps, { slot: ctx.slot, db: tx }))
 */
export async function generateMonthlyInvoices(
  deps: BookingDependencies,
  options: InvoiceRunOptions = {},
): Promise<MonthlyInvoiceReport> {
  const now = deps.now()
  const db = options.db ?? deps.db
  const at = options.slot ?? now
  const customers = await db.query<{ id: string; time_zone: string }>(
    `select id, time_zone from booking.customers where billing = 'monthly' order by id`,
  )
  const skipped: MonthlyInvoiceReport['skipped'] = []
  const due = customers.rows.flatMap((customer) => {
    let localDay: number
    try {
      localDay = Number(periodOf('day', at, customer.time_zone).key.slice(8, 10))
    } catch (error) {
      // One bad row must not stop everyone else's billing.
      skipped.push({ customerId: customer.id, reason: (error as Error).message })
      return []
    }
    if (localDay > deps.config.monthlyWindowDays) return []
    return [{ customerId: customer.id, month: previousPeriod('month', at, customer.time_zone) }]
  })
  if (due.length === 0) return { invoices: [], skipped }
  const rows = await db.query<{
    id: string
    customer_id: string
    period_key: string
    total_cents: number
  }>(
    `insert into booking.invoices (customer_id, kind, period_key, lines, total_cents, due_at, created_at)
     select d.customer_id, 'monthly', d.period_key,
            jsonb_agg(jsonb_build_object('booking_id', b.id, 'class', c.title, 'starts_at', c.starts_at,
                                         'price_cents', b.price_cents) order by c.starts_at, b.id),
            sum(b.price_cents), $5::timestamptz + $6 * interval '1 day', $5
     from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[]) as d(customer_id, period_key, month_start, month_end)
     join booking.bookings b on b.customer_id = d.customer_id and b.status = 'confirmed'
     join booking.classes c on c.id = b.class_id and c.starts_at >= d.month_start and c.starts_at < d.month_end
     group by d.customer_id, d.period_key
     on conflict (customer_id, kind, period_key) do nothing
     returning id, customer_id, period_key, total_cents`,
    [
      due.map((item) => item.customerId),
      due.map((item) => item.month.key),
      due.map((item) => item.month.start),
      due.map((item) => item.month.end),
      now,
      invoiceTermsDays,
    ],
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
    skipped,
  }
}
