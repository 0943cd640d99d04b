import { createHandler } from '@nightshift/jobs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'
import { serveFetchHandler } from './fetch-bridge-server.js'
import { invalidNumberAnswer } from './whatsapp-cloud-server.js'

// The app's secrets, each with the least it needs (the service role key reaches everything).
const SUPABASE_SERVICE_ROLE_KEY = 'service-role-key-e2e-0123456789'
const CRON_SECRET = 'cron-secret-e2e-0123456789'
const SCHEDULER_SECRET_TOKEN = 'scheduler-token-e2e-0123456789'

let app: BookingFixture
let bridge: Awaited<ReturnType<typeof serveFetchHandler>>
let SUPABASE_URL: string
let EDGE_FUNCTION_URL: string
const ids: Record<string, string> = {}

/** The app's curl: `curl -X POST URL -H "Authorization: Bearer T" -H "Content-Type: application/json" -d BODY`. */
async function curl(url: string, token: string, body: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body,
  })
  // biome-ignore lint/suspicious/noExplicitAny: the contract's JSON, checked field by field below
  return { status: response.status, json: (await response.json()) as any }
}

beforeAll(async () => {
  app = await startBookingFixture('e2e')
  const handler = createHandler(app.jobs, {
    auth: {
      tokens: {
        [SUPABASE_SERVICE_ROLE_KEY]: '*',
        [CRON_SECRET]: ['run-escalation-orchestration'],
        [SCHEDULER_SECRET_TOKEN]: ['schedule-create-zoom'],
      },
    },
    queueRoute: 'notification-worker',
    basePath: '/functions/v1',
    now: () => app.clock.now,
  })
  bridge = await serveFetchHandler(handler)
  SUPABASE_URL = bridge.url
  EDGE_FUNCTION_URL = `${bridge.url}/functions/v1`

  ids.ada = await app.addCustomer({
    name: 'Ada',
    email: 'ada@example.com',
    whatsapp: '+447700900001',
    timeZone: 'Europe/London',
  })
  ids.grace = await app.addCustomer({
    name: 'Grace',
    email: 'grace@example.com',
    timeZone: 'America/New_York',
    billing: 'monthly',
  })
  ids.kat = await app.addCustomer({ name: 'Kat', email: 'kat@example.com', whatsapp: '+15550100002' })
  ids.hedy = await app.addCustomer({ name: 'Hedy', email: 'hedy@example.com', whatsapp: '+15550000000' })
  const march = await app.addClass('2026-03-15T10:00:00Z', 'March yoga')
  const april = await app.addClass('2026-04-01T09:00:00Z', 'April pilates')
  const today = await app.addClass('2026-04-02T05:00:00Z', 'Breathing', 30)
  await app.addBooking({
    customerId: ids.grace,
    classId: march,
    priceCents: 2000,
    paidAt: '2026-03-16T00:00:00Z',
  })
  ids.overdue = await app.addBooking({
    customerId: ids.ada,
    classId: april,
    priceCents: 1500,
    paymentDueAt: '2026-03-30T00:00:00Z',
  })
  await app.addBooking({
    customerId: ids.ada,
    classId: today,
    priceCents: 800,
    paymentDueAt: '2026-04-10T00:00:00Z',
  })
  await app.addBooking({
    customerId: ids.grace,
    classId: today,
    priceCents: 800,
    paymentDueAt: '2026-04-10T00:00:00Z',
  })
  ids.unconfirmed = await app.addBooking({
    customerId: ids.kat,
    classId: today,
    status: 'pending',
    createdAt: '2026-03-30T00:00:00Z',
  })
  const invoice = await app.pool.query<{ id: string }>(
    `insert into booking.invoices (customer_id, kind, period_key, lines, total_cents, due_at)
     values ($1, 't5', '2026-03-05', '[]', 900, '2026-03-20T00:00:00Z') returning id`,
    [ids.hedy],
  )
  ids.invoice = invoice.rows[0]?.id as string
  // Kat's number is down for good (503 each time); Hedy's is not on WhatsApp.
  app.whatsapp.failAlwaysFor('15550100002', {
    status: 503,
    body: { error: { message: 'Service unavailable', code: 2 } },
  })
  app.whatsapp.failAlwaysFor('15550000000', invalidNumberAnswer)
})
afterAll(async () => {
  await bridge?.close()
  await app?.close()
})

describe('the app’s six functions, through the HTTP contract', () => {
  it('schedules the five jobs as the app’s workflows do', async () => {
    const schedules = await app.jobs.schedules()
    expect(Object.fromEntries(schedules.map((s) => [s.name, s.cron]))).toEqual({
      'generate-t5-invoices': '0 1 * * *',
      'generate-monthly-invoices': '0 2 * * *',
      'run-escalation-orchestration': '0 2 * * *',
      'escalate-overdue-bookings': '0 6 * * *',
      'schedule-create-zoom': '*/5 * * * *',
    })
  })

  it('generate-t5-invoices: invoices yesterday once; the same call again is already done', async () => {
    app.clock.now = new Date('2026-04-02T01:00:30Z')
    const first = await curl(
      `${SUPABASE_URL}/functions/v1/generate-t5-invoices`,
      SUPABASE_SERVICE_ROLE_KEY,
      '{}',
    )
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ ok: true, status: 'completed', slot: '2026-04-02T01:00:00.000Z' })
    expect(first.json.result.invoices).toEqual([
      expect.objectContaining({ customerId: ids.ada, period: '2026-04-01', totalCents: 1500 }),
    ])
    const again = await curl(
      `${SUPABASE_URL}/functions/v1/generate-t5-invoices`,
      SUPABASE_SERVICE_ROLE_KEY,
      '{}',
    )
    expect(again.json).toMatchObject({ ok: true, status: 'already-done', jobId: first.json.jobId })
    expect(await app.count(`booking.invoices where kind = 't5'`)).toBe(2)
  })

  it('generate-monthly-invoices: bills March once', async () => {
    app.clock.now = new Date('2026-04-02T02:00:30Z')
    const first = await curl(
      `${SUPABASE_URL}/functions/v1/generate-monthly-invoices`,
      SUPABASE_SERVICE_ROLE_KEY,
      '{}',
    )
    expect(first.json).toMatchObject({ ok: true, status: 'completed' })
    expect(first.json.result.invoices).toEqual([
      expect.objectContaining({ customerId: ids.grace, period: '2026-03', totalCents: 2000 }),
    ])
    expect(
      (await curl(`${SUPABASE_URL}/functions/v1/generate-monthly-invoices`, SUPABASE_SERVICE_ROLE_KEY, '{}'))
        .json.status,
    ).toBe('already-done')
    expect(await app.count(`booking.invoices where kind = 'monthly'`)).toBe(1)
  })

  it('run-escalation-orchestration: the cron secret steps each item once and says what it escalated', async () => {
    const first = await curl(
      `${SUPABASE_URL}/functions/v1/run-escalation-orchestration`,
      CRON_SECRET,
      '{"force":false}',
    )
    expect(first.status).toBe(200)
    expect(first.json.result.escalated).toEqual([
      expect.objectContaining({ subject: 'unpaid-invoice', id: ids.invoice, level: 1 }),
      expect.objectContaining({ subject: 'unconfirmed-booking', id: ids.unconfirmed, level: 1 }),
    ])
    expect(
      (
        await curl(
          `${SUPABASE_URL}/functions/v1/run-escalation-orchestration`,
          CRON_SECRET,
          '{"force":false}',
        )
      ).json.status,
    ).toBe('already-done')
    expect(await app.count(`booking.escalations where subject_kind <> 'overdue-booking'`)).toBe(2)
    // The cron secret reaches nothing else; a wrong token nothing at all.
    expect((await curl(`${SUPABASE_URL}/functions/v1/generate-t5-invoices`, CRON_SECRET, '{}')).status).toBe(
      403,
    )
    expect(
      (await curl(`${SUPABASE_URL}/functions/v1/generate-t5-invoices`, 'wrong-token-0123456789', '{}'))
        .status,
    ).toBe(401)
  })

  it('schedule-create-zoom: force_invoke runs again, and still makes one meeting per class', async () => {
    app.clock.now = new Date('2026-04-02T02:05:10Z')
    const first = await curl(
      `${EDGE_FUNCTION_URL}/schedule-create-zoom`,
      SCHEDULER_SECRET_TOKEN,
      '{"force_invoke":true}',
    )
    expect(first.json).toMatchObject({ ok: true, status: 'completed', forced: true })
    expect(first.json.result.created).toHaveLength(1)
    const again = await curl(
      `${EDGE_FUNCTION_URL}/schedule-create-zoom`,
      SCHEDULER_SECRET_TOKEN,
      '{"force_invoke":true}',
    )
    expect(again.json).toMatchObject({ ok: true, status: 'completed', forced: true, result: { created: [] } })
    expect(app.zoom.meetingsCreated()).toBe(1)
    expect(app.zoom.tokenRequests()).toBe(1)
    expect(await app.count('booking.classes where zoom_meeting_id is not null')).toBe(1)
  })

  it('escalate-overdue-bookings: steps the overdue booking once that day', async () => {
    app.clock.now = new Date('2026-04-02T06:00:30Z')
    const first = await curl(
      `${SUPABASE_URL}/functions/v1/escalate-overdue-bookings`,
      SUPABASE_SERVICE_ROLE_KEY,
      '{}',
    )
    expect(first.json.result).toEqual({
      stepped: [{ bookingId: ids.overdue, level: 1, adminAlerted: false }],
    })
    expect(
      (await curl(`${SUPABASE_URL}/functions/v1/escalate-overdue-bookings`, SUPABASE_SERVICE_ROLE_KEY, '{}'))
        .json.status,
    ).toBe('already-done')
  })

  it('notification-worker: delivers and audits every message; failures are retried, then failed', async () => {
    for (let call = 0; call < 80; call++) {
      const { status, json } = await curl(
        `${SUPABASE_URL}/functions/v1/notification-worker`,
        SUPABASE_SERVICE_ROLE_KEY,
        '{"limit":10}',
      )
      expect(status).toBe(200)
      expect(json.ok).toBe(true)
      if ((await app.count(`nightshift.jobs where status in ('pending', 'processing')`)) === 0) break
      await new Promise((resolve) => setTimeout(resolve, 30))
    }
    const jobs = await app.notificationJobs()
    const outcome = jobs.map((job) => [job.payload.to, job.payload.template, job.status, job.attempts])
    expect(outcome).toEqual(
      expect.arrayContaining([
        ['+447700900001', 'class_notification', 'completed', 1],
        ['grace@example.com', 'class_notification', 'completed', 1],
        ['+15550000000', 'payment_reminder', 'failed', 1],
        ['+15550100002', 'booking_confirmation', 'failed', 5],
        ['+447700900001', 'payment_reminder', 'completed', 1],
      ]),
    )
    expect(jobs).toHaveLength(5)
    // Delivered: two WhatsApp messages to Ada, one e-mail to Grace.
    expect(app.whatsapp.accepted.map((body) => [body.to, body.template.name])).toEqual(
      expect.arrayContaining([
        ['447700900001', 'class_notification'],
        ['447700900001', 'payment_reminder'],
      ]),
    )
    expect(app.smtp.mails.map((mail) => mail.to)).toEqual([['grace@example.com']])
    // Audited: one row per attempt, ok only where delivered.
    for (const job of jobs) {
      const audit = await app.messageAudit(job.id)
      expect(audit.map((row) => row.ok)).toEqual(
        job.status === 'completed' ? [true] : Array.from({ length: job.attempts }, () => false),
      )
    }
    const errors = Object.fromEntries(jobs.map((job) => [job.payload.to, job.error_message]))
    // Kat's 503s were retried to the end; Hedy's invalid number failed at once with Meta's code.
    expect(errors['+15550100002']).toContain('503')
    expect(errors['+15550000000']).toContain('131026')
  })

  it('reports health as the app’s verification SQL would', async () => {
    const response = await fetch(`${SUPABASE_URL}/functions/v1/health`)
    const json = await response.json()
    expect(json.counts).toMatchObject({ failed: 2, cancelled: 0, pending: 0 })
  })
})
