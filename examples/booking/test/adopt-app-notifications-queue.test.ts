import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { adoptNotificationsQueue } from '@nightshift/example-booking'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'

let app: BookingFixture

// The app's "Queue table structure" (fixtures/original-scheduled-jobs.md), verbatim.
const seedDdl = `
CREATE TABLE notifications_queue (
  id SERIAL PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  type TEXT NOT NULL,
  payload JSONB NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error_message TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  scheduled_for TIMESTAMPTZ
);

CREATE INDEX idx_notifications_queue_status ON notifications_queue(status);
CREATE INDEX idx_notifications_queue_scheduled_for ON notifications_queue(scheduled_for);
`

beforeAll(async () => {
  app = await startBookingFixture('adopt')
  await app.pool.query(seedDdl)
  await app.pool.query(
    `insert into notifications_queue (status, type, payload, attempts, scheduled_for) values
       ('pending', 'whatsapp', '{"phone": "+447700900001", "template": "payment_reminder", "params": {"name": "Ada", "amount": 25, "due": "2026-03-01"}}', 0, null),
       ('pending', 'email', '{"to": "grace@example.com", "template_name": "admin_alert", "values": {"subject": "s", "detail": "d"}}', 3, '2020-01-01T00:00:00Z'),
       ('completed', 'email', '{"to": "done@example.com", "template": "admin_alert"}', 1, null),
       ('failed', 'whatsapp', '{"phone": "+15550000000", "template": "admin_alert"}', 5, null),
       ('processing', 'email', '{"to": "busy@example.com", "template": "admin_alert"}', 1, null),
       ('pending', 'sms', '{"to": "+15550100000", "template": "admin_alert"}', 0, null),
       ('pending', 'email', '{"to": "not-an-address", "template": "admin_alert", "values": {}}', 0, null)`,
  )
})
afterAll(() => app.close())

async function seedRows() {
  const { rows } = await app.pool.query<{ id: number; status: string; error_message: string | null }>(
    'select id, status, error_message from notifications_queue order by id',
  )
  return rows
}

describe('adoptNotificationsQueue', () => {
  it('moves pending rows into nightshift jobs and leaves the others alone', async () => {
    const report = await adoptNotificationsQueue({ db: app.pool, jobs: app.jobs })
    expect(report.adopted.map((row) => [row.oldId, row.created])).toEqual([
      [1, true],
      [2, true],
    ])
    expect(report.skipped.map((row) => row.oldId)).toEqual([6, 7])
    expect(report.skipped[0]?.reason).toContain('"sms"')
    expect(report.skipped[1]?.reason).toContain('invalid input')
    const jobs = await app.notificationJobs()
    expect(jobs.map((job) => [job.type, job.payload.to, job.payload.template, job.idempotency_key])).toEqual([
      ['send-whatsapp', '+447700900001', 'payment_reminder', 'notifications_queue:1'],
      ['send-email', 'grace@example.com', 'admin_alert', 'notifications_queue:2'],
    ])
    expect(jobs[0]?.payload.values).toEqual({ name: 'Ada', amount: '25', due: '2026-03-01' })
    const { rows } = await app.pool.query<{ max_attempts: number }>(
      'select max_attempts from nightshift.jobs where id = $1',
      [jobs[1]?.id],
    )
    expect(rows[0]?.max_attempts).toBe(2)
    expect((await seedRows()).map((row) => row.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'failed',
      'processing',
      'pending',
      'pending',
    ])
    expect((await seedRows())[0]?.error_message).toBe(`moved to nightshift job ${jobs[0]?.id}`)
  })

  it('is safe to run again, concurrently too: nothing is enqueued twice', async () => {
    await app.pool.query(`update notifications_queue set status = 'pending' where id = 1`)
    const [one, two] = await Promise.all([
      adoptNotificationsQueue({ db: app.pool, jobs: app.jobs }),
      adoptNotificationsQueue({ db: app.pool, jobs: app.jobs }),
    ])
    // Row 1 was reset to pending by hand: it is found again, and its key makes no second job.
    expect([...one.adopted, ...two.adopted].map((row) => [row.oldId, row.created])).toEqual([[1, false]])
    expect(await app.notificationJobs()).toHaveLength(2)
  })

  it('delivers the adopted messages', async () => {
    await app.drain()
    expect((await app.notificationJobs()).map((job) => job.status)).toEqual(['completed', 'completed'])
    expect(app.whatsapp.accepted.map((body) => body.to)).toEqual(['447700900001'])
    expect(app.smtp.mails.map((mail) => mail.to)).toEqual([['grace@example.com']])
  })

  it('runs as a CLI command', async () => {
    await app.pool.query(
      `insert into notifications_queue (status, type, payload) values ('pending', 'email', '{"to": "cli@example.com", "template": "admin_alert", "values": {"subject": "s", "detail": "d"}}')`,
    )
    const cwd = fileURLToPath(new URL('..', import.meta.url))
    const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', 'src/adopt-command.ts'], {
      cwd,
      env: { ...process.env, DATABASE_URL: app.database.url, BOOKING_DELIVERY: 'outbox' },
    })
    expect(stdout).toContain('adopted 1 pending row(s) of notifications_queue (1 new job(s))')
    expect((await app.notificationJobs()).at(-1)?.payload.to).toBe('cli@example.com')
  })
})
