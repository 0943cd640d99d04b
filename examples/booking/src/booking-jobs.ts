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
 * The booking app's scheduled work as nightshift jobs: five scheduled jobs and the two notification jobs the
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
      // Daily at 01:00 UTC, as the app's workflow. Missed slots are caught up, each billing its own day; the job
      // also looks back as far for days no run billed.
      schedule: { cron: '0 1 * * *', catchUp: { max: deps.config.t5CatchUpDays } },
      // The invoices commit with the job's completion (ctx.transaction): a run whose lease expired while
      // another worker re-ran the job writes none. The unique (customer, kind, period) key stays, a second
      // line of defence for writes made outside this job (a manual run of the SQL, an older worker).
      run: (_input, ctx) => ctx.transaction((tx) => generateT5Invoices(deps, { slot: ctx.slot, db: tx })),
    }),
    defineJob({
      name: 'generate-monthly-invoices',
      // Daily: the job decides whether its slot's day is inside the billing window. Up to a month of
      // missed slots are caught up, so an outage over the window bills late rather than never.
      schedule: { cron: '0 2 * * *', catchUp: { max: 31 } },
      // As generate-t5-invoices: once through ctx.transaction, the unique key as a second line of defence.
      run: (_input, ctx) =>
        ctx.transaction((tx) => generateMonthlyInvoices(deps, { slot: ctx.slot, db: tx })),
    }),
    defineJob({
      name: 'run-escalation-orchestration',
      schedule: '0 2 * * *',
      // The workflow's body `{"force":true}` reaches the job as a forced run (ctx.forced): the HTTP contract
      // takes force out of the input. An input force (jobs.enqueue) is honoured too.
      input: z.object({ force: z.boolean().default(false) }),
      run: (input, ctx) =>
        // Its steps and messages commit with the job's completion; the unique (item, level) key stays for
        // two different jobs at once (the slot's and a forced one).
        ctx.transaction((tx) =>
          runEscalationOrchestration(deps, { force: input.force || ctx.forced, slot: ctx.slot, db: tx }),
        ),
    }),
    defineJob({
      name: 'escalate-overdue-bookings',
      // 'latest' (the default) catch-up: after an outage one reminder, not one per missed day.
      schedule: '0 6 * * *',
      // As run-escalation-orchestration: once through ctx.transaction, the unique step key as a second
      // line of defence.
      run: (_input, ctx) =>
        ctx.transaction((tx) => escalateOverdueBookings(deps, { slot: ctx.slot, db: tx })),
    }),
    defineJob({
      name: 'schedule-create-zoom',
      schedule: '*/5 * * * *',
      // The workflow's manual dispatch sends force_invoke; a run never makes a second meeting either way.
      input: z.object({ force_invoke: z.boolean().optional() }),
      backoff,
      // The class rows and their notifications commit with the job's completion; the row lock and the
      // null check stay for a second job at once. Zoom's call itself is at least once (Zoom documents no idempotency key).
      // Progress (shown on the dashboard) is written beside the transaction; a rejection means the run lost its
      // job, which ctx.signal already tells the run.
      run: (_input, ctx) =>
        ctx.transaction((tx) =>
          scheduleCreateZoom(deps, {
            signal: ctx.signal,
            db: tx,
            progress: (value) => ctx.progress(value).catch(() => {}),
          }),
        ),
    }),
    defineJob({
      name: 'send-whatsapp',
      input: whatsappNotificationInput,
      maxAttempts: 5,
      backoff,
      // The delivered message's audit row commits with the completion (ctx.transaction inside).
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
