import { escalateOverdueBookings, type OverdueStep } from '@nightshift/example-booking'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'

let app: BookingFixture
let overdue: string

beforeAll(async () => {
  app = await startBookingFixture('overdue', {
    env: { BOOKING_OVERDUE_ADMIN_FROM_LEVEL: '2', BOOKING_OVERDUE_MAX_LEVEL: '3' },
  })
  const ada = await app.addCustomer({
    name: 'Ada',
    email: 'ada@example.com',
    whatsapp: '+447700900001',
  })
  const klass = await app.addClass('2026-03-01T10:00:00Z')
  overdue = await app.addBooking({
    customerId: ada,
    classId: klass,
    priceCents: 1800,
    paymentDueAt: '2026-03-05T00:00:00Z',
  })
  // Paid, cancelled, and not yet due: none of them escalates.
  await app.addBooking({
    customerId: await app.addCustomer({ name: 'P', email: 'p@example.com' }),
    classId: klass,
    paymentDueAt: '2026-03-05T00:00:00Z',
    paidAt: '2026-03-04T00:00:00Z',
  })
  await app.addBooking({
    customerId: await app.addCustomer({ name: 'C', email: 'c@example.com' }),
    classId: klass,
    paymentDueAt: '2026-03-05T00:00:00Z',
    status: 'cancelled',
  })
  await app.addBooking({
    customerId: await app.addCustomer({ name: 'F', email: 'f@example.com' }),
    classId: klass,
    paymentDueAt: '2026-04-05T00:00:00Z',
  })
})
afterAll(() => app.close())

describe('escalate-overdue-bookings', () => {
  it('notifies the client at level 1, once that day however often it runs', async () => {
    app.clock.now = new Date('2026-03-10T06:00:00Z')
    expect((await escalateOverdueBookings(app.deps)).stepped).toEqual([
      { bookingId: overdue, level: 1, adminAlerted: false },
    ])
    app.clock.now = new Date('2026-03-10T23:59:00Z')
    const both = await Promise.all([escalateOverdueBookings(app.deps), escalateOverdueBookings(app.deps)])
    expect(both.flatMap((run) => run.stepped)).toEqual([])
    const sent = await app.notificationJobs()
    expect(sent.map((job) => [job.type, job.payload.template, job.payload.values.amount])).toEqual([
      ['send-whatsapp', 'payment_reminder', '18.00'],
    ])
  })

  it('steps up the next day and alerts the admin from the configured level', async () => {
    app.clock.now = new Date('2026-03-11T00:00:00Z')
    expect((await escalateOverdueBookings(app.deps)).stepped).toEqual([
      { bookingId: overdue, level: 2, adminAlerted: true },
    ])
    const sent = await app.notificationJobs()
    expect(sent.slice(1).map((job) => [job.type, job.payload.to, job.idempotency_key])).toEqual([
      ['send-whatsapp', '+447700900001', `overdue-booking:${overdue}:2:customer`],
      ['send-email', 'admin@school.example', `overdue-booking:${overdue}:2:admin`],
    ])
  })

  it('after a missed day steps one level, not two, and stops at the top level', async () => {
    app.clock.now = new Date('2026-03-13T06:00:00Z')
    expect((await escalateOverdueBookings(app.deps)).stepped).toEqual([
      { bookingId: overdue, level: 3, adminAlerted: true },
    ])
    app.clock.now = new Date('2026-03-14T06:00:00Z')
    expect((await escalateOverdueBookings(app.deps)).stepped).toEqual([])
  })

  it('stops once the booking is paid, and runs as a queued job', async () => {
    await app.pool.query('update booking.bookings set paid_at = $2 where id = $1', [
      overdue,
      '2026-03-14T07:00:00Z',
    ])
    const { id } = await app.jobs.enqueue('escalate-overdue-bookings', {})
    await app.drain()
    expect((await app.jobs.getJob(id))?.result).toEqual({ stepped: [] })
    expect(app.whatsapp.accepted).toHaveLength(3)
    expect(app.smtp.mails.map((mail) => mail.to)).toEqual([
      ['admin@school.example'],
      ['admin@school.example'],
    ])
  })

  it('a day’s run that ends up running after midnight takes that day’s step, and the next day’s run the next', async () => {
    const kat = await app.addCustomer({ name: 'Kat', email: 'kat@example.com' })
    const booking = await app.addBooking({
      customerId: kat,
      classId: await app.addClass('2026-03-25T10:00:00Z'),
      paymentDueAt: '2026-04-01T00:00:00Z',
    })
    const run = async (now: string) => {
      app.clock.now = new Date(now)
      const outcome = await app.jobs.trigger('escalate-overdue-bookings', {}, { now: app.clock.now })
      const { stepped } = outcome.result as { stepped: OverdueStep[] }
      return { slot: outcome.slot, stepped: stepped.filter((step) => step.bookingId === booking) }
    }
    // 00:30 on 04-03: the 04-02 06:00 slot, run late (a retried or late-triggered run).
    expect(await run('2026-04-03T00:30:00Z')).toEqual({
      slot: '2026-04-02T06:00:00.000Z',
      stepped: [{ bookingId: booking, level: 1, adminAlerted: false }],
    })
    expect(await run('2026-04-03T06:00:30Z')).toEqual({
      slot: '2026-04-03T06:00:00.000Z',
      stepped: [{ bookingId: booking, level: 2, adminAlerted: true }],
    })
  })
})
