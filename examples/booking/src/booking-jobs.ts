import { type BackoffOptions, defineJob } from '@nightshift/jobs-core'
import { z } from 'zod'
import type { BookingDependencies } from './booking-dependencies.js'
import { escalateOverdueBookings } from './escalate-overdue-bookings.js'
import { generateMonthlyInvoices } from './generate-monthly-invoices.js'
import { generateT5Invoices } from './generate-t5-invoices.js'
import { emailNotificationInput, whatsappNotificationInput } from './notification-input.js'
import { runEscalationOrchestration } from './run-escalation-orchestration.js'
import { scheduleCreateZoom } from './schedule-create-zoom.js'
import { sendMessage } from './send-message.js'

/** Options of `bookingJobs`. */
export interface BookingJobsOptions {
  /** Retry delays of the send and Zoom jobs. Default nightshift's (1 s doubling, up to an hour). */
  backoff?: BackoffOptions
}

/**
 * The seed's scheduled work as nightshift jobs: five scheduled jobs and the two notification jobs the
 * `notification-worker` route drains. Each body is a plain function of (input, deps).
 *
 * @example
 * let jobs: Jobs
 * const definitions = bookingJobs(bookingDependencies({ db: pool, config, queue: () => jobs }))
 * jobs = createJobs({ db: pool, jobs: definitions })
 */
export function bookingJobs(deps: BookingDependencies, options: BookingJobsOptions = {}) {
  const { backoff } = options
  return [
    defineJob({
      name: 'generate-t5-invoices',
      // Daily at 01:00 UTC, as the seed. A missed day is caught up by the job itself (it looks back).
      schedule: '0 1 * * *',
      run: () => generateT5Invoices(deps),
    }),
    defineJob({
      name: 'generate-monthly-invoices',
      // Daily: the job decides whether today is inside the billing window.
      schedule: '0 2 * * *',
      run: () => generateMonthlyInvoices(deps),
    }),
    defineJob({
      name: 'run-escalation-orchestration',
      schedule: '0 2 * * *',
      input: z.object({ force: z.boolean().default(false) }),
      run: (input) => runEscalationOrchestration(deps, input),
    }),
    defineJob({
      name: 'escalate-overdue-bookings',
      schedule: '0 6 * * *',
      run: () => escalateOverdueBookings(deps),
    }),
    defineJob({
      name: 'schedule-create-zoom',
      schedule: '*/5 * * * *',
      // The seed's manual dispatch sends force_invoke; a run never makes a second meeting either way.
      input: z.object({ force_invoke: z.boolean().optional() }),
      backoff,
      run: (_input, ctx) => scheduleCreateZoom(deps, { signal: ctx.signal }),
    }),
    defineJob({
      name: 'send-whatsapp',
      input: whatsappNotificationInput,
      maxAttempts: 5,
      backoff,
      run: (input, ctx) => sendMessage(deps, deps.channels.whatsapp, input, ctx),
    }),
    defineJob({
      name: 'send-email',
      input: emailNotificationInput,
      maxAttempts: 5,
      backoff,
      run: (input, ctx) => sendMessage(deps, deps.channels.email, input, ctx),
    }),
  ] as const
}

/** The job definitions `bookingJobs` returns. */
export type BookingJobDefinitions = ReturnType<typeof bookingJobs>
