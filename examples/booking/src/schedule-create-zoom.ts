import { JobFailError, type TransactionClient } from '@nightshift/jobs-core'
import type { BookingDependencies } from './booking-dependencies.js'
import { inTransaction } from './in-transaction.js'
import { notifyCustomer } from './notify.js'
import { ZoomRequestError } from './zoom-client.js'

/** What one run of schedule-create-zoom did. */
export interface ZoomReport {
  created: { classId: string; meetingId: string }[]
  /** Classes another run was creating a meeting for at the same moment. */
  skipped: string[]
  /**
   * Classes Zoom refused after this run had made other meetings: those meetings are recorded (the run
   * commits them), and these classes are tried again by the next run (every 5 minutes).
   */
  failed: { classId: string; error: string }[]
}

/** How far a run of schedule-create-zoom got: `done` of the `classes` it found due a meeting were dealt with. */
export interface ZoomProgress {
  classes: number
  done: number
}

/**
 * `schedule-create-zoom` (every 5 minutes, body `{"force_invoke":true}` accepted): gives every class
 * starting within `zoomLookAheadMinutes` that has no meeting a Zoom meeting, and enqueues the class
 * notification to each confirmed booking with it.
 *
 * The run is one transaction: given `db` (the job passes `ctx.transaction`'s `tx`), the class rows it
 * fills and the notifications commit together with the job's completion, so a run that lost its lease
 * records no meeting and sends no link. Without `db` it opens its own transaction on `deps.db`. Never
 * two meetings recorded for one class: each class is taken under its row lock (`for update skip
 * locked`) and only while its meeting is still null, so a concurrent run (another job: a manual
 * dispatch beside the 5-minute slot) skips it and a later run sees it done; that lock and the null
 * check are the second line of defence beside the job's fence.
 *
 * Zoom itself is an HTTP call, at least once: its create-meeting endpoint documents no idempotency key, so
 * a run cut off (or fenced out) between Zoom's answer and the commit leaves a meeting at Zoom that no
 * class row names, and the next run makes another. Attendees only ever get the recorded one's link.
 *
 * Errors: while no meeting is made yet, Zoom's 429 and 5xx throw for the job's backoff and any other
 * 4xx ends the job `failed` at once with Zoom's message (JobFailError), as retrying cannot help. Once a
 * meeting is made, throwing would roll back its row and make Zoom create it again on the retry: the run
 * stops at a 429 or 5xx, skips a class Zoom refuses with another 4xx, and commits what it made; the rest
 * is listed in `failed` and tried again by the next run.
 *
 * @example
 * run: (_input, ctx) => ctx.transaction((tx) => scheduleCreateZoom(deps, { signal: ctx.signal, db: tx }))
 */
export async function scheduleCreateZoom(
  deps: BookingDependencies,
  options: { signal?: AbortSignal; db?: TransactionClient; progress?: (value: ZoomProgress) => void } = {},
): Promise<ZoomReport> {
  const run = (client: TransactionClient) => createMeetings(deps, client, options.signal, options.progress)
  return options.db ? run(options.db) : inTransaction(deps.db, run)
}

async function createMeetings(
  deps: BookingDependencies,
  client: TransactionClient,
  signal: AbortSignal | undefined,
  progress: ((value: ZoomProgress) => void) | undefined,
): Promise<ZoomReport> {
  const now = deps.now()
  const { rows } = await client.query<{ id: string }>(
    `select id from booking.classes
     where zoom_meeting_id is null and starts_at > $1 and starts_at <= $1::timestamptz + $2 * interval '1 minute'
     order by starts_at, id`,
    [now, deps.config.zoomLookAheadMinutes],
  )
  const report: ZoomReport = { created: [], skipped: [], failed: [] }
  let looked = 0
  for (const { id } of rows) {
    progress?.({ classes: rows.length, done: looked })
    looked += 1
    const locked = await client.query<{ title: string; starts_at: Date; duration_minutes: number }>(
      `select title, starts_at, duration_minutes from booking.classes
       where id = $1 and zoom_meeting_id is null for update skip locked`,
      [id],
    )
    const row = locked.rows[0]
    if (!row) {
      report.skipped.push(id)
      continue
    }
    let meeting: { id: string; joinUrl: string }
    try {
      meeting = await deps.zoom.createMeeting(
        { topic: row.title, startTime: row.starts_at, durationMinutes: row.duration_minutes },
        signal,
      )
    } catch (error) {
      const permanent = error instanceof ZoomRequestError && !error.retryable
      if (report.created.length === 0) {
        if (permanent) throw new JobFailError(error.message, { cause: error })
        throw error
      }
      report.failed.push({ classId: id, error: error instanceof Error ? error.message : String(error) })
      // A rate limit or an outage: stop asking, commit what was made.
      if (permanent) continue
      break
    }
    await client.query('update booking.classes set zoom_meeting_id = $2, zoom_join_url = $3 where id = $1', [
      id,
      meeting.id,
      meeting.joinUrl,
    ])
    const attendees = await client.query<{
      booking_id: string
      name: string
      email: string
      whatsapp_number: string | null
    }>(
      `select b.id as booking_id, cu.name, cu.email, cu.whatsapp_number
       from booking.bookings b join booking.customers cu on cu.id = b.customer_id
       where b.class_id = $1 and b.status = 'confirmed' order by b.id`,
      [id],
    )
    for (const attendee of attendees.rows) {
      await notifyCustomer(
        deps,
        client,
        attendee,
        'class_notification',
        {
          name: attendee.name,
          class: row.title,
          starts: row.starts_at.toISOString(),
          join_url: meeting.joinUrl,
        },
        `class-notification:${id}:${attendee.booking_id}`,
      )
    }
    report.created.push({ classId: id, meetingId: meeting.id })
  }
  if (rows.length > 0) progress?.({ classes: rows.length, done: looked })
  return report
}
