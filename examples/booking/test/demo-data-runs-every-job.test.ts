import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { seedDemoData } from '@nightshift/example-booking'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'

let app: BookingFixture

beforeAll(async () => {
  app = await startBookingFixture('demo')
})
afterAll(() => app.close())

describe('demo data', () => {
  it('is seeded once, by the CLI command, and a second seed does nothing', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url))
    const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', 'src/seed-command.ts'], {
      cwd,
      env: { ...process.env, DATABASE_URL: app.database.url },
    })
    expect(stdout).toContain('seeded 4 customers, 5 classes, 8 bookings')
    expect(await seedDemoData(app.pool)).toMatchObject({ seeded: false })
    expect(await app.count('booking.bookings')).toBe(8)
  })

  it('gives every job work: overdue and unpaid bookings escalate, soon classes get meetings', async () => {
    app.clock.now = new Date()
    for (const name of [
      'generate-t5-invoices',
      'generate-monthly-invoices',
      'escalate-overdue-bookings',
      'schedule-create-zoom',
    ] as const) {
      await app.jobs.enqueue(name, {})
    }
    await app.jobs.enqueue('run-escalation-orchestration', { force: false })
    await app.drain()
    const { rows } = await app.pool.query<{ type: string; status: string }>(
      `select type, status from nightshift.jobs where status <> 'completed'`,
    )
    expect(rows).toEqual([])
    expect(await app.count(`booking.escalations where subject_kind = 'overdue-booking'`)).toBe(2)
    expect(await app.count(`booking.escalations where subject_kind = 'unconfirmed-booking'`)).toBe(1)
    expect(await app.count('booking.classes where zoom_meeting_id is not null')).toBe(1)
    expect(await app.count('booking.message_audit where ok')).toBeGreaterThanOrEqual(4)
  })
})
