import { JobFailError } from '@nightshift/jobs-core'
import type { BookingDependencies } from './booking-dependencies.js'
import { inTransaction } from './in-transaction.js'
import { notifyCustomer } from './notify.js'
import { ZoomRequestError } from './zoom-client.js'

/** What one run of schedule-create-zoom did. */
export interface ZoomReport {
  created: { classId: string; meetingId: string }[]
  /** Classes another run was creating a meeting for at the same moment. */
  skipped: string[]
}

/**
 * `schedule-create-zoom` (every 5 minutes, body `{"force_invoke":true}` accepted): gives every class
 * starting within `zoomLookAheadMinutes` that has no meeting a Zoom meeting, and enqueues the class
 * notification to each confirmed booking in the same transaction as the meeting is saved.
 *
 * Never two meetings for one class: each class is created under its row lock (`for update skip
 * locked`) and only while its meeting is still null, so a concurrent run skips it and a later run sees
 * it done. Zoom's 429 and 5xx throw for the job's backoff; any other 4xx ends the job `failed` at once
 * with Zoom's message (JobFailError), as retrying cannot help.
 *
 * @example
 * const report = await scheduleCreateZoom(deps, { signal })
 */
export async function scheduleCreateZoom(
  deps: BookingDependencies,
  options: { signal?: AbortSignal } = {},
): Promise<ZoomReport> {
  const now = deps.now()
  const { rows } = await deps.db.query<{ id: string }>(
    `select id from booking.classes
     where zoom_meeting_id is null and starts_at > $1 and starts_at <= $1::timestamptz + $2 * interval '1 minute'
     order by starts_at, id`,
    [now, deps.config.zoomLookAheadMinutes],
  )
  const report: ZoomReport = { created: [], skipped: [] }
  for (const { id } of rows) {
    await inTransaction(deps.db, async (client) => {
      const locked = await client.query<{ title: string; starts_at: Date; duration_minutes: number }>(
        `select title, starts_at, duration_minutes from booking.classes
         where id = $1 and zoom_meeting_id is null for update skip locked`,
        [id],
      )
      const row = locked.rows[0]
      if (!row) {
        report.skipped.push(id)
        return
      }
      let meeting: { id: string; joinUrl: string }
      try {
        meeting = await deps.zoom.createMeeting(
          { topic: row.title, startTime: row.starts_at, durationMinutes: row.duration_minutes },
          options.signal,
        )
      } catch (error) {
        if (error instanceof ZoomRequestError && !error.retryable) {
          throw new JobFailError(error.message, { cause: error })
        }
        throw error
      }
      await client.query(
        'update booking.classes set zoom_meeting_id = $2, zoom_join_url = $3 where id = $1',
        [id, meeting.id, meeting.joinUrl],
      )
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
    })
  }
  return report
}
