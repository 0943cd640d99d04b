import { readdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { originalCurlCommands } from '../../../examples/booking/test/original-curl-commands.js'
import { serveBookingFunctions } from '../../../examples/supabase/test/booking-functions.js'
import { insertOverdueT5Booking } from '../../../examples/supabase/test/overdue-t5-booking.js'
import { runCurlCommand } from '../../../examples/supabase/test/run-curl-command.js'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { pushExampleMigrations } from './supabase-db-push.js'

// The booking example as a Supabase project deploys it: its committed migrations pushed by the real
// Supabase CLI into a fresh database (nothing else makes a table: no jobs.migrate(), no migrateBooking),
// then its Edge Functions in real Deno behind PgBouncer on that database, called by the original curls.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

const migrations = new URL('../../../examples/supabase/supabase/migrations/', import.meta.url)
const commands = originalCurlCommands()
let db: TestDatabase
let pushed: string
let served: Awaited<ReturnType<typeof serveBookingFunctions>>

beforeAll(async () => {
  if (missing) return
  db = await createTestDatabase('supabase_pushed_functions')
  pushed = await pushExampleMigrations(db.url)
  served = await serveBookingFunctions(new URL(db.url), [
    'generate-t5-invoices',
    'escalate-overdue-bookings',
    'notification-worker',
  ])
}, 120_000)

afterAll(async () => {
  await served?.close()
  await db?.drop()
})

const curl = (name: string) => runCurlCommand(commands[name] as string, served.gateway.url)

describe.skipIf(missing)('the example’s functions on the database `supabase db push` made', () => {
  it('the push applied and recorded every migration of the example', async () => {
    const files = (await readdir(migrations)).filter((file) => file.endsWith('.sql')).sort()
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) expect(pushed).toContain(`Applying migration ${file}`)
    const { rows } = await served.pool.query(
      'select version from supabase_migrations.schema_migrations order by version',
    )
    expect(rows.map((row) => `${row.version}`)).toEqual(files.map((file) => file.slice(0, 14)))
  })

  it('the original curls of generate-t5-invoices, escalate-overdue-bookings and notification-worker answer 200 ok: true, and their rows land', async () => {
    await insertOverdueT5Booking(served.pool)

    const invoices = await curl('generate-t5-invoices')
    expect(invoices).toMatchObject({ status: 200, json: { ok: true, status: 'completed' } })
    expect(
      (await served.pool.query("select kind, total_cents from booking.invoices where kind = 't5'")).rows,
    ).toEqual([{ kind: 't5', total_cents: 2500 }])

    // The overdue booking's first step enqueues a payment reminder by e-mail (Ada has no WhatsApp).
    expect(await curl('escalate-overdue-bookings')).toMatchObject({
      status: 200,
      json: { ok: true, status: 'completed' },
    })
    expect((await served.pool.query('select level from booking.escalations')).rows).toEqual([{ level: 1 }])

    // The queue route sends it: the outbox's audit row is the message.
    expect(await curl('notification-worker')).toMatchObject({ status: 200, json: { ok: true, running: 0 } })
    expect(
      (
        await served.pool.query(
          'select channel, provider, recipient, template, ok from booking.message_audit',
        )
      ).rows,
    ).toEqual([
      {
        channel: 'email',
        provider: 'outbox',
        recipient: 'ada@example.com',
        template: 'payment_reminder',
        ok: true,
      },
    ])
    const { rows } = await served.pool.query(
      'select type, status, attempts from nightshift.jobs order by type',
    )
    expect(rows).toEqual([
      { type: 'escalate-overdue-bookings', status: 'completed', attempts: 1 },
      { type: 'generate-t5-invoices', status: 'completed', attempts: 1 },
      { type: 'send-email', status: 'completed', attempts: 1 },
    ])
  })
})
