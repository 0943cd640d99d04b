import { generateMonthlyInvoices, type MonthlyInvoiceReport } from '@nightshift/example-booking'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'

let app: BookingFixture
let berlin: string
let losAngeles: string
let utc: string

beforeAll(async () => {
  app = await startBookingFixture('monthly')
  berlin = await app.addCustomer({
    name: 'B',
    email: 'b@example.com',
    timeZone: 'Europe/Berlin',
    billing: 'monthly',
  })
  losAngeles = await app.addCustomer({
    name: 'L',
    email: 'l@example.com',
    timeZone: 'America/Los_Angeles',
    billing: 'monthly',
  })
  utc = await app.addCustomer({
    name: 'U',
    email: 'u@example.com',
    timeZone: 'UTC',
    billing: 'monthly',
  })
  const t5 = await app.addCustomer({ name: 'T', email: 't@example.com', billing: 't5' })
  // Berlin is on summer time (UTC+2) from 2026-03-29: 21:30Z on 03-31 is 23:30 local (March), 22:30Z is
  // 00:30 on 04-01 local (April). A fixed +1 offset would put both in March.
  const lastMarchEvening = await app.addClass('2026-03-31T21:30:00Z')
  const firstAprilNight = await app.addClass('2026-03-31T22:30:00Z')
  // 00:30 on 03-01 in Berlin (winter time, UTC+1): March there, February in UTC.
  const firstMarchNight = await app.addClass('2026-02-28T23:30:00Z')
  // 20:00 on 03-31 in Los Angeles (PDT, UTC-7): March there, April in UTC.
  const laEvening = await app.addClass('2026-04-01T03:00:00Z')
  const midMarch = await app.addClass('2026-03-15T12:00:00Z')
  await app.addBooking({ customerId: berlin, classId: lastMarchEvening, priceCents: 1000 })
  await app.addBooking({ customerId: berlin, classId: firstAprilNight, priceCents: 2000 })
  await app.addBooking({ customerId: berlin, classId: firstMarchNight, priceCents: 400 })
  await app.addBooking({ customerId: losAngeles, classId: laEvening, priceCents: 3000 })
  await app.addBooking({ customerId: utc, classId: midMarch, priceCents: 500 })
  await app.addBooking({ customerId: utc, classId: laEvening, priceCents: 600 })
  await app.addBooking({ customerId: t5, classId: midMarch, priceCents: 9999 })
})
afterAll(() => app.close())

async function invoices() {
  const { rows } = await app.pool.query<{ customer_id: string; period_key: string; total_cents: number }>(
    `select customer_id, period_key, total_cents from booking.invoices where kind = 'monthly' order by id`,
  )
  return rows
}

describe('generate-monthly-invoices', () => {
  it('bills the previous month in each customer’s own zone, across a DST change', async () => {
    app.clock.now = new Date('2026-04-01T02:00:00Z')
    const report = await generateMonthlyInvoices(app.deps)
    // Los Angeles is still on 03-31: its month has not ended, so it is not billed yet.
    expect(
      report.invoices.map(({ customerId, period, totalCents }) => ({ customerId, period, totalCents })),
    ).toEqual([
      { customerId: berlin, period: '2026-03', totalCents: 1400 },
      { customerId: utc, period: '2026-03', totalCents: 500 },
    ])
  })

  it('never bills a month twice: a second run, and two runs at once, make nothing', async () => {
    expect((await generateMonthlyInvoices(app.deps)).invoices).toEqual([])
    app.clock.now = new Date('2026-04-01T18:00:00Z')
    const both = await Promise.all([generateMonthlyInvoices(app.deps), generateMonthlyInvoices(app.deps)])
    expect(
      both.flatMap((report) => report.invoices).filter((invoice) => invoice.customerId !== losAngeles),
    ).toEqual([])
  })

  it('bills a zone whose month ended later on its first run inside the window', async () => {
    app.clock.now = new Date('2026-04-02T02:00:00Z')
    const report = await generateMonthlyInvoices(app.deps)
    expect(report.invoices).toEqual([])
    // It was billed by the 18:00Z run above, the first one at which its local date was 04-01.
    expect(await invoices()).toEqual([
      { customer_id: berlin, period_key: '2026-03', total_cents: 1400 },
      { customer_id: utc, period_key: '2026-03', total_cents: 500 },
      { customer_id: losAngeles, period_key: '2026-03', total_cents: 3000 },
    ])
  })

  it('catches up missed days inside the window, and bills nothing after it', async () => {
    // Runs of 05-01 and 05-02 never happened; 05-03 is still inside the 5-day window.
    app.clock.now = new Date('2026-05-03T02:00:00Z')
    const may = await generateMonthlyInvoices(app.deps)
    expect(
      may.invoices.map(({ customerId, period, totalCents }) => ({ customerId, period, totalCents })),
    ).toEqual([
      { customerId: berlin, period: '2026-04', totalCents: 2000 },
      { customerId: utc, period: '2026-04', totalCents: 600 },
    ])
    const june = await app.addClass('2026-05-20T10:00:00Z')
    await app.addBooking({ customerId: utc, classId: june, priceCents: 700 })
    app.clock.now = new Date('2026-06-07T02:00:00Z')
    expect((await generateMonthlyInvoices(app.deps)).invoices).toEqual([])
  })

  it('skips a customer whose time zone is unknown and bills the others', async () => {
    const typo = await app.addCustomer({
      name: 'X',
      email: 'x@example.com',
      timeZone: 'Europe/Berlinn',
      billing: 'monthly',
    })
    app.clock.now = new Date('2026-06-02T02:00:00Z')
    const report = await generateMonthlyInvoices(app.deps)
    expect(report.skipped).toEqual([{ customerId: typo, reason: expect.stringContaining('Europe/Berlinn') }])
    expect(report.invoices).toEqual([
      expect.objectContaining({ customerId: utc, period: '2026-05', totalCents: 700 }),
    ])
  })

  it('decides the window by each slot: an outage over the whole window still bills the month, once', async () => {
    const june = await app.addCustomer({ name: 'J', email: 'j@example.com', billing: 'monthly' })
    await app.addBooking({
      customerId: june,
      classId: await app.addClass('2026-06-15T10:00:00Z'),
      priceCents: 800,
    })
    expect(await app.tickAndRun('generate-monthly-invoices', '2026-06-30T03:00:00Z')).toEqual([])
    // No tick from 06-30 until 07-09, past the 5-day window: the missed slots 07-01 … 07-09 run late,
    // and the 07-01 slot, inside the window by its own date, bills June.
    const runs = await app.tickAndRun('generate-monthly-invoices', '2026-07-09T03:00:00Z')
    expect(runs.map((run) => run.slot)).toEqual(
      Array.from({ length: 9 }, (_, day) => `2026-07-0${day + 1}T02:00:00.000Z`),
    )
    const billed = runs.flatMap(({ slot, result }) =>
      (result as MonthlyInvoiceReport).invoices
        .filter((invoice) => invoice.customerId === june)
        .map(({ period, totalCents }) => ({ slot, period, totalCents })),
    )
    expect(billed).toEqual([{ slot: '2026-07-01T02:00:00.000Z', period: '2026-06', totalCents: 800 }])
    expect(await app.count(`booking.invoices where customer_id = $1`, [june])).toBe(1)
  })
})
