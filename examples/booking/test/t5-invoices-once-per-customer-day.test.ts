import { generateT5Invoices, type T5InvoiceReport } from '@nightshift/example-booking'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'

let app: BookingFixture
let ada: string
let hedy: string

beforeAll(async () => {
  app = await startBookingFixture('t5')
  ada = await app.addCustomer({ name: 'Ada', email: 'ada@example.com' })
  hedy = await app.addCustomer({ name: 'Hedy', email: 'hedy@example.com' })
  const monthly = await app.addCustomer({ name: 'Grace', email: 'g@example.com', billing: 'monthly' })
  // 2026-03-08 (UTC): Ada twice, Hedy once; a cancelled booking and a monthly customer are not billed.
  const a = await app.addClass('2026-03-08T09:00:00Z')
  const b = await app.addClass('2026-03-08T23:30:00Z')
  await app.addBooking({ customerId: ada, classId: a, priceCents: 1000 })
  await app.addBooking({ customerId: ada, classId: b, priceCents: 1500 })
  await app.addBooking({ customerId: hedy, classId: a, priceCents: 700 })
  await app.addBooking({ customerId: hedy, classId: b, priceCents: 900, status: 'cancelled' })
  await app.addBooking({ customerId: monthly, classId: a, priceCents: 5000 })
  // 2026-03-09 (UTC) — the day the first run bills; 2026-03-10 00:30 belongs to the next day.
  const c = await app.addClass('2026-03-09T00:00:00Z')
  const d = await app.addClass('2026-03-10T00:30:00Z')
  await app.addBooking({ customerId: ada, classId: c, priceCents: 1200 })
  await app.addBooking({ customerId: ada, classId: d, priceCents: 1300 })
})
afterAll(() => app.close())

async function invoices() {
  const { rows } = await app.pool.query<{
    customer_id: string
    period_key: string
    total_cents: number
    lines: unknown[]
  }>(
    `select customer_id, period_key, total_cents, lines from booking.invoices where kind = 't5' order by period_key, customer_id`,
  )
  return rows
}

describe('generate-t5-invoices', () => {
  it('bills each customer once per UTC day of activity, catching up the day whose run was missed', async () => {
    // It is 2026-03-10 01:00 UTC; the run for 03-09 (billing 03-08) never happened.
    app.clock.now = new Date('2026-03-10T01:00:00Z')
    const report = await generateT5Invoices(app.deps)
    expect(report.days.at(-1)).toBe('2026-03-09')
    expect(await invoices()).toEqual([
      expect.objectContaining({ customer_id: ada, period_key: '2026-03-08', total_cents: 2500 }),
      expect.objectContaining({ customer_id: hedy, period_key: '2026-03-08', total_cents: 700 }),
      expect.objectContaining({ customer_id: ada, period_key: '2026-03-09', total_cents: 1200 }),
    ])
    expect((await invoices())[0]?.lines).toHaveLength(2)
  })

  it('makes nothing on a second run, or on two runs at once', async () => {
    const again = await generateT5Invoices(app.deps)
    expect(again.invoices).toEqual([])
    const [one, two] = await Promise.all([generateT5Invoices(app.deps), generateT5Invoices(app.deps)])
    expect([...one.invoices, ...two.invoices]).toEqual([])
    expect(await invoices()).toHaveLength(3)
  })

  it('bills today only once today is over, when run late the next day', async () => {
    app.clock.now = new Date('2026-03-11T13:45:00Z')
    const report = await generateT5Invoices(app.deps)
    expect(report.invoices).toEqual([
      expect.objectContaining({ customerId: ada, period: '2026-03-10', totalCents: 1300 }),
    ])
    expect(await invoices()).toHaveLength(4)
  })

  it('runs as a nightshift job through the queue', async () => {
    const late = await app.addClass('2026-03-11T10:00:00Z')
    await app.addBooking({ customerId: hedy, classId: late, priceCents: 400 })
    app.clock.now = new Date('2026-03-12T01:00:00Z')
    const { id } = await app.jobs.enqueue('generate-t5-invoices', {})
    await app.jobs.process({ limit: 5 })
    const job = await app.jobs.getJob(id)
    expect(job?.status).toBe('completed')
    expect(job?.result).toMatchObject({
      invoices: [{ customerId: hedy, period: '2026-03-11', totalCents: 400 }],
    })
  })

  it('a missed slot caught up late bills its own day, and the next slot the next day: none missed, none twice', async () => {
    const kat = await app.addCustomer({ name: 'Kat', email: 'kat@example.com' })
    await app.addBooking({
      customerId: kat,
      classId: await app.addClass('2026-05-01T10:00:00Z'),
      priceCents: 100,
    })
    await app.addBooking({
      customerId: kat,
      classId: await app.addClass('2026-05-02T10:00:00Z'),
      priceCents: 200,
    })
    // The schedule's ledger starts at the 05-01 01:00 slot; no tick comes until 05-03 09:00, which
    // catches up the missed 05-02 slot and runs the 05-03 one, both late.
    expect(await app.tickAndRun('generate-t5-invoices', '2026-05-01T01:30:00Z')).toEqual([])
    const runs = await app.tickAndRun('generate-t5-invoices', '2026-05-03T09:00:00Z')
    const billed = runs.map(({ slot, status, result }) => ({
      slot,
      status,
      invoices: (result as T5InvoiceReport).invoices
        .filter((invoice) => invoice.customerId === kat)
        .map(({ period, totalCents }) => ({ period, totalCents })),
    }))
    expect(billed).toEqual([
      {
        slot: '2026-05-02T01:00:00.000Z',
        status: 'completed',
        invoices: [{ period: '2026-05-01', totalCents: 100 }],
      },
      {
        slot: '2026-05-03T01:00:00.000Z',
        status: 'completed',
        invoices: [{ period: '2026-05-02', totalCents: 200 }],
      },
    ])
    // Forcing the slot again bills nothing twice.
    const forced = await app.jobs.trigger('generate-t5-invoices', {}, { force: true, now: app.clock.now })
    expect(forced).toMatchObject({
      status: 'completed',
      slot: '2026-05-03T01:00:00.000Z',
      result: { invoices: [] },
    })
    expect(await app.count(`booking.invoices where customer_id = $1`, [kat])).toBe(2)
  })
})
