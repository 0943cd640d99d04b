import { type Jobs, NightshiftError } from '@nightshift/jobs-core'
import type pg from 'pg'
import type { BookingJobDefinitions } from './booking-jobs.js'
import { inTransaction } from './in-transaction.js'
import type { NotificationInput } from './notification-input.js'

/** A row of the app's `notifications_queue` (its "Queue table structure"). */
export interface SeedQueueRow {
  id: number
  status: string
  type: string
  payload: Record<string, unknown>
  attempts: number
  scheduled_for: Date | null
}

/** Which nightshift job a seed row becomes, or a reason it cannot. */
export type SeedRowMapping =
  | { name: 'send-whatsapp' | 'send-email'; input: NotificationInput }
  | { skip: string }

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * The default mapping: a `type` mentioning WhatsApp or e-mail becomes `send-whatsapp` / `send-email`;
 * the recipient is `to` (or `phone`, `phone_number`, `email`), the template `template` (or
 * `template_name`), the values `values` (or `params`, `variables`), stringified.
 */
export function mapSeedRow(row: SeedQueueRow): SeedRowMapping {
  const kind = /whatsapp/i.test(row.type)
    ? 'send-whatsapp'
    : /e-?mail/i.test(row.type)
      ? 'send-email'
      : undefined
  if (!kind) return { skip: `type ${JSON.stringify(row.type)} is neither WhatsApp nor e-mail` }
  const p = row.payload ?? {}
  const to = text(p.to) ?? text(p.phone) ?? text(p.phone_number) ?? text(p.email)
  const template = text(p.template) ?? text(p.template_name)
  if (!to) return { skip: 'payload has no recipient (to, phone, phone_number or email)' }
  if (!template) return { skip: 'payload has no template (template or template_name)' }
  const rawValues = (p.values ?? p.params ?? p.variables ?? {}) as Record<string, unknown>
  const values = Object.fromEntries(Object.entries(rawValues).map(([key, value]) => [key, String(value)]))
  return { name: kind, input: { to, template: template as NotificationInput['template'], values } }
}

/** What one adoption did. */
export interface AdoptionReport {
  adopted: { oldId: number; jobId: string; created: boolean }[]
  /** Pending rows left as they were, with why. */
  skipped: { oldId: number; reason: string }[]
}

function quotedTable(table: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(table)) {
    throw new Error(
      `table must be a plain (optionally schema-qualified) lower-case name, got ${JSON.stringify(table)}`,
    )
  }
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.')
}

/**
 * Moves the pending rows of a seed-shaped `notifications_queue` into nightshift jobs: each becomes a
 * `send-whatsapp` / `send-email` job keyed `notifications_queue:<id>` and, in the same transaction, is
 * marked `completed` with "moved to nightshift job N" so the app's old worker and monitoring see it gone.
 * Safe to run twice or concurrently (row locks, idempotency keys); `completed`, `failed` and
 * `processing` rows are left alone; rows that cannot be mapped stay `pending` and are reported.
 * Attempts already spent count against the new job's 5.
 *
 * @example
 * const report = await adoptNotificationsQueue({ db: pool, jobs })
 */
export async function adoptNotificationsQueue(options: {
  db: pg.Pool
  jobs: Jobs<BookingJobDefinitions>
  table?: string
  map?: (row: SeedQueueRow) => SeedRowMapping
}): Promise<AdoptionReport> {
  const table = quotedTable(options.table ?? 'notifications_queue')
  const map = options.map ?? mapSeedRow
  return inTransaction(options.db, async (client) => {
    const { rows } = await client.query<SeedQueueRow>(
      `select id, status, type, payload, attempts, scheduled_for from ${table}
       where status = 'pending' order by id for update skip locked`,
    )
    const report: AdoptionReport = { adopted: [], skipped: [] }
    for (const row of rows) {
      const mapping = map(row)
      if ('skip' in mapping) {
        report.skipped.push({ oldId: row.id, reason: mapping.skip })
        continue
      }
      let job: { id: string; created: boolean }
      try {
        job = await options.jobs.enqueue(mapping.name, mapping.input, {
          db: client,
          idempotencyKey: `notifications_queue:${row.id}`,
          runAt: row.scheduled_for ?? undefined,
          maxAttempts: Math.max(1, 5 - row.attempts),
        })
      } catch (error) {
        // Validation runs before any SQL, so the transaction is still usable.
        if (error instanceof NightshiftError && error.code === 'invalid_input') {
          report.skipped.push({ oldId: row.id, reason: error.message })
          continue
        }
        throw error
      }
      await client.query(
        `update ${table} set status = 'completed', error_message = $2, updated_at = now() where id = $1`,
        [row.id, `moved to nightshift job ${job.id}`],
      )
      report.adopted.push({ oldId: row.id, jobId: job.id, created: job.created })
    }
    return report
  })
}
