import {
  type BookingConfig,
  type BookingJobDefinitions,
  createBookingQueue,
  migrateBooking,
  readBookingConfig,
} from '@nightshift/example-booking'
import type { EnqueueItem, JobRecord } from '@nightshift/jobs-core'
import pg from 'pg'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { startSmtpInbox } from './smtp-inbox.js'
import { phoneNumberId, startWhatsappCloudServer, whatsappToken } from './whatsapp-cloud-server.js'
import { startZoomApiServer, zoomAccount } from './zoom-api-server.js'

/**
 * A booking app for one test file: its own database with nightshift's and the booking schema, local
 * WhatsApp, Zoom and SMTP servers, a clock the test sets, and the queue with short retry delays.
 */
export async function startBookingFixture(
  label: string,
  options: { env?: Record<string, string>; tokenLifetimeSeconds?: number } = {},
) {
  const database: TestDatabase = await createTestDatabase(label)
  const whatsapp = await startWhatsappCloudServer()
  const zoom = await startZoomApiServer({ tokenLifetimeSeconds: options.tokenLifetimeSeconds })
  const smtp = await startSmtpInbox()
  const pool = new pg.Pool({ connectionString: database.url, max: 8 })
  const clock = { now: new Date('2026-03-10T01:00:00Z') }
  const config: BookingConfig = readBookingConfig({
    BOOKING_DELIVERY: 'providers',
    WHATSAPP_API_BASE_URL: whatsapp.url,
    WHATSAPP_PHONE_NUMBER_ID: phoneNumberId,
    WHATSAPP_ACCESS_TOKEN: whatsappToken,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'School <school@example.com>',
    ZOOM_API_BASE_URL: zoom.url,
    ZOOM_OAUTH_BASE_URL: zoom.url,
    ZOOM_ACCOUNT_ID: zoomAccount.accountId,
    ZOOM_CLIENT_ID: zoomAccount.clientId,
    ZOOM_CLIENT_SECRET: zoomAccount.clientSecret,
    BOOKING_ADMIN_EMAIL: 'admin@school.example',
    ...options.env,
  })
  const { jobs, deps } = createBookingQueue({
    db: pool,
    config,
    now: () => clock.now,
    backoff: { baseMs: 20, maxMs: 40 },
  })
  await jobs.migrate()
  await migrateBooking(pool)
  const fixture = {
    database,
    pool,
    clock,
    config,
    jobs,
    deps,
    whatsapp,
    zoom,
    smtp,
    /** Runs due jobs until none is left pending (retries included), or gives up after `rounds`. */
    async drain(rounds = 60) {
      for (let round = 0; round < rounds; round++) {
        await jobs.process({ limit: 50 })
        if ((await fixture.count(`nightshift.jobs where status in ('pending', 'processing')`)) === 0) return
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error('jobs still pending after draining')
    },
    /** Enqueues one job, drains the queue (retries included) and returns the job as it ended. */
    async runToEnd(job: EnqueueItem<BookingJobDefinitions>): Promise<JobRecord> {
      const [enqueued] = await jobs.enqueueMany([job])
      await fixture.drain()
      return (await jobs.getJob(enqueued?.id as string)) as JobRecord
    },
    /**
     * Ticks the schedules at `now` (the clock too), then runs the slots of job `name` the tick enqueued,
     * one at a time and oldest first as one worker would, and returns each run's slot and outcome.
     */
    async tickAndRun(name: BookingJobDefinitions[number]['name'], now: string) {
      clock.now = new Date(now)
      const { enqueued } = await jobs.tick({ now: clock.now })
      while ((await jobs.process({ limit: 1, names: [name] })).claimed > 0) {}
      const runs = []
      for (const { slot, jobId } of enqueued.filter((slot) => slot.name === name)) {
        const job = (await jobs.getJob(jobId)) as JobRecord
        runs.push({ slot, status: job.status, result: job.result })
      }
      return runs
    },
    /** How many jobs a `process()` finds to run once the retry backoff (at most 40 ms here) has passed. */
    async claimableAfterBackoff(): Promise<number> {
      await new Promise((resolve) => setTimeout(resolve, 100))
      return (await jobs.process({ limit: 50 })).claimed
    },
    /** `select count(*) from <from>`, e.g. `count("booking.invoices where kind = 't5'")`. */
    async count(from: string, values: unknown[] = []): Promise<number> {
      const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from ${from}`, values)
      return rows[0]?.n ?? 0
    },
    addCustomer: (customer: NewCustomer) => addCustomer(pool, customer),
    addClass: (startsAt: string, title?: string, durationMinutes?: number) =>
      addClass(pool, startsAt, title, durationMinutes),
    addBooking: (booking: NewBooking) => addBooking(pool, booking),
    notificationJobs: () => notificationJobs(pool),
    messageAudit: (jobId: string) => messageAudit(pool, jobId),
    async close() {
      await jobs.close()
      await pool.end()
      await Promise.all([whatsapp.close(), zoom.close(), smtp.close()])
      await database.drop()
    },
  }
  return fixture
}

export type BookingFixture = Awaited<ReturnType<typeof startBookingFixture>>

/** Inserts a customer and returns its id. */
interface NewCustomer {
  name: string
  email: string
  whatsapp?: string
  timeZone?: string
  billing?: 't5' | 'monthly'
}

async function addCustomer(pool: pg.Pool, customer: NewCustomer): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into booking.customers (name, email, whatsapp_number, time_zone, billing)
     values ($1, $2, $3, $4, $5) returning id`,
    [
      customer.name,
      customer.email,
      customer.whatsapp ?? null,
      customer.timeZone ?? 'UTC',
      customer.billing ?? 't5',
    ],
  )
  return rows[0]?.id as string
}

/** Inserts a class and returns its id. */
async function addClass(
  pool: pg.Pool,
  startsAt: string,
  title = 'Yoga',
  durationMinutes = 60,
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into booking.classes (title, starts_at, duration_minutes, instructor) values ($1, $2, $3, 'Lin') returning id`,
    [title, startsAt, durationMinutes],
  )
  return rows[0]?.id as string
}

/** Inserts a booking and returns its id. */
interface NewBooking {
  customerId: string
  classId: string
  priceCents?: number
  status?: 'pending' | 'confirmed' | 'cancelled'
  paymentDueAt?: string
  paidAt?: string
  createdAt?: string
}

async function addBooking(pool: pg.Pool, booking: NewBooking): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into booking.bookings (customer_id, class_id, price_cents, status, payment_due_at, paid_at, created_at)
     values ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now())) returning id`,
    [
      booking.customerId,
      booking.classId,
      booking.priceCents ?? 1000,
      booking.status ?? 'confirmed',
      booking.paymentDueAt ?? null,
      booking.paidAt ?? null,
      booking.createdAt ?? null,
    ],
  )
  return rows[0]?.id as string
}

/** The notification jobs enqueued, oldest first. */
async function notificationJobs(pool: pg.Pool) {
  const { rows } = await pool.query<{
    id: string
    type: string
    status: string
    payload: { to: string; template: string; values: Record<string, string> }
    idempotency_key: string
    attempts: number
    error_message: string | null
  }>(
    `select id, type, status, payload, idempotency_key, attempts, error_message from nightshift.jobs
     where type in ('send-whatsapp', 'send-email') order by id`,
  )
  return rows
}

/** The message_audit rows of one send job, oldest first. */
async function messageAudit(pool: pg.Pool, jobId: string) {
  const { rows } = await pool.query<{
    channel: string
    provider: string
    ok: boolean
    error: string | null
    attempt: number
    provider_response: unknown
  }>(
    'select channel, provider, ok, error, attempt, provider_response from booking.message_audit where job_id = $1 order by id',
    [jobId],
  )
  return rows
}
