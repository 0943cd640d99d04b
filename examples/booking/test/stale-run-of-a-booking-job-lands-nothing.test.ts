import {
  type BookingDependencies,
  type BookingJobDefinitions,
  bookingJobs,
  type NotificationQueue,
} from '@nightshift/example-booking'
import { createJobs, defineJob, type JobRecord } from '@nightshift/jobs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'

// Each booking job that writes does so through ctx.transaction. Here a run of it loses its lease in the
// middle (after its first write, before its commit) and the job is handed back to the queue: that stale
// run must land nothing (no step, no message, no meeting recorded, no audit row claiming the delivery),
// and the job's next run must do the work once. Without ctx.transaction each of these writes committed
// on its own, while the job was already someone else's.

let app: BookingFixture
beforeAll(async () => {
  app = await startBookingFixture('stale')
})
afterAll(() => app.close())

/** Holds the first caller of `pass()` until `release()`; later callers go straight through. */
class Gate {
  readonly reached: Promise<void>
  readonly #held: Promise<void>
  #reach!: () => void
  #release!: () => void
  #used = false

  constructor() {
    this.reached = new Promise((resolve) => {
      this.#reach = resolve
    })
    this.#held = new Promise((resolve) => {
      this.#release = resolve
    })
  }

  async pass(): Promise<void> {
    if (this.#used) return
    this.#used = true
    this.#reach()
    await this.#held
  }

  release(): void {
    this.#release()
  }
}

/** The notification queue, held at the gate right after its first enqueue was written. */
function queueHeldAfterFirstEnqueue(gate: Gate): () => NotificationQueue {
  return () => ({
    async enqueue(name, input, options) {
      const enqueued = await app.deps.queue().enqueue(name, input, options)
      await gate.pass()
      return enqueued
    },
  })
}

type JobName = BookingJobDefinitions[number]['name']

/**
 * Enqueues `name`, runs it on a worker of its own whose dependencies are `deps` (one of them held at
 * `gate`), and while the run is held there makes its lease expire and lets another worker's `process()`
 * reap it, as happens to a run whose heartbeat did not land in time. Then lets the stale run go on and
 * returns the job's id once that run has finished.
 */
async function runThatLosesItsLease(
  name: JobName,
  input: Record<string, unknown>,
  deps: BookingDependencies,
  gate: Gate,
): Promise<string> {
  const stale = createJobs({ db: app.pool, jobs: bookingJobs(deps) })
  const reaper = createJobs({ db: app.pool, jobs: [defineJob({ name: 'reap-only', run: () => null })] })
  try {
    // Messages earlier tests enqueued are delivered first, so the held run is this job's.
    await app.drain()
    const [{ id } = { id: '' }] = await app.jobs.enqueueMany([{ name, input } as never])
    const running = stale.process({ limit: 1, names: [name] })
    await gate.reached
    await app.pool.query(
      `update nightshift.jobs set locked_until = now() - interval '1 millisecond' where id = $1`,
      [id],
    )
    // Claims nothing (no reap-only job is due), but first returns every expired lease to pending.
    expect(await reaper.process({ limit: 1 })).toMatchObject({ claimed: 0 })
    expect(await app.jobs.getJob(id)).toMatchObject({ status: 'pending' })
    gate.release()
    expect(await running).toMatchObject({ claimed: 1, completed: 0 })
    // The stale run recorded nothing on the job either: it is still due, for the next run.
    expect(await app.jobs.getJob(id)).toMatchObject({ status: 'pending', attempts: 1 })
    return id
  } finally {
    await stale.close()
    await reaper.close()
  }
}

/** Runs the job again on the fixture's worker and returns it as it ended. */
async function runAgain(name: JobName, id: string): Promise<JobRecord> {
  expect(await app.jobs.process({ limit: 1, names: [name] })).toMatchObject({ claimed: 1, completed: 1 })
  return (await app.jobs.getJob(id)) as JobRecord
}

const keysLike = async (prefix: string) =>
  (await app.notificationJobs()).map((job) => job.idempotency_key).filter((key) => key.startsWith(prefix))

describe('a run that lost its lease mid-transaction lands nothing; the next run does the work once', () => {
  it('escalate-overdue-bookings: no step, no reminder', async () => {
    app.clock.now = new Date('2026-03-10T06:00:00Z')
    const customer = await app.addCustomer({
      name: 'Olga',
      email: 'olga@example.com',
      whatsapp: '+447700900201',
    })
    const booking = await app.addBooking({
      customerId: customer,
      classId: await app.addClass('2026-03-01T10:00:00Z'),
      paymentDueAt: '2026-03-05T00:00:00Z',
    })
    const gate = new Gate()
    const id = await runThatLosesItsLease(
      'escalate-overdue-bookings',
      {},
      { ...app.deps, queue: queueHeldAfterFirstEnqueue(gate) },
      gate,
    )
    const steps = `booking.escalations where subject_kind = 'overdue-booking' and subject_id = $1`
    expect(await app.count(steps, [booking])).toBe(0)
    expect(await keysLike(`overdue-booking:${booking}:`)).toEqual([])

    const job = await runAgain('escalate-overdue-bookings', id)
    expect(job.result).toEqual({ stepped: [{ bookingId: booking, level: 1, adminAlerted: false }] })
    expect(await app.count(steps, [booking])).toBe(1)
    expect(await keysLike(`overdue-booking:${booking}:`)).toEqual([`overdue-booking:${booking}:1:customer`])
  })

  it('run-escalation-orchestration: no step, no message', async () => {
    app.clock.now = new Date('2026-03-10T02:00:00Z')
    const customer = await app.addCustomer({ name: 'Piet', email: 'piet@example.com' })
    const { rows } = await app.pool.query<{ id: string }>(
      `insert into booking.invoices (customer_id, kind, period_key, lines, total_cents, due_at)
       values ($1, 't5', '2026-02-20', '[]', 1500, '2026-03-06T00:00:00Z') returning id`,
      [customer],
    )
    const invoice = rows[0]?.id as string
    const gate = new Gate()
    const id = await runThatLosesItsLease(
      'run-escalation-orchestration',
      { force: false },
      { ...app.deps, queue: queueHeldAfterFirstEnqueue(gate) },
      gate,
    )
    const steps = `booking.escalations where subject_kind = 'unpaid-invoice' and subject_id = $1`
    expect(await app.count(steps, [invoice])).toBe(0)
    expect(await keysLike(`escalation:unpaid-invoice:${invoice}:`)).toEqual([])

    const job = await runAgain('run-escalation-orchestration', id)
    const escalated = (job.result as { escalated: { id: string; level: number }[] }).escalated
    expect(escalated.filter((step) => step.id === invoice).map((step) => step.level)).toEqual([1])
    expect(await app.count(steps, [invoice])).toBe(1)
    expect(await keysLike(`escalation:unpaid-invoice:${invoice}:`)).toEqual([
      `escalation:unpaid-invoice:${invoice}:1`,
    ])
  })

  it('schedule-create-zoom: no meeting recorded, no link sent (Zoom’s own call repeats: no idempotency key)', async () => {
    app.clock.now = new Date('2026-03-10T12:00:00Z')
    const klass = await app.addClass('2026-03-10T15:00:00Z', 'Pilates')
    const customer = await app.addCustomer({ name: 'Quin', email: 'quin@example.com' })
    await app.addBooking({ customerId: customer, classId: klass })
    const meetingsBefore = app.zoom.meetingsCreated()
    const gate = new Gate()
    const zoom: BookingDependencies['zoom'] = {
      async createMeeting(meeting, signal) {
        const made = await app.deps.zoom.createMeeting(meeting, signal)
        await gate.pass()
        return made
      },
    }
    const id = await runThatLosesItsLease('schedule-create-zoom', {}, { ...app.deps, zoom }, gate)
    const meeting = async () =>
      (
        await app.pool.query<{ zoom_meeting_id: string | null; zoom_join_url: string | null }>(
          'select zoom_meeting_id, zoom_join_url from booking.classes where id = $1',
          [klass],
        )
      ).rows[0]
    expect(await meeting()).toEqual({ zoom_meeting_id: null, zoom_join_url: null })
    expect(await keysLike(`class-notification:${klass}:`)).toEqual([])
    expect(app.zoom.meetingsCreated() - meetingsBefore).toBe(1)

    const job = await runAgain('schedule-create-zoom', id)
    const recorded = await meeting()
    expect(job.result).toMatchObject({ created: [{ classId: klass, meetingId: recorded?.zoom_meeting_id }] })
    // The stale run's meeting was made at Zoom and is named by no class row; the link sent is the recorded one.
    expect(app.zoom.meetingsCreated() - meetingsBefore).toBe(2)
    const sent = (await app.notificationJobs()).filter((job) =>
      job.idempotency_key.startsWith(`class-notification:${klass}:`),
    )
    expect(sent.map((job) => job.payload.values.join_url)).toEqual([recorded?.zoom_join_url])
  })

  it('send-whatsapp: no audit row claims the delivery for the stale run; its duplicate send is recorded as such', async () => {
    const gate = new Gate()
    const whatsapp: BookingDependencies['channels']['whatsapp'] = {
      ...app.deps.channels.whatsapp,
      async send(message, signal) {
        const receipt = await app.deps.channels.whatsapp.send(message, signal)
        await gate.pass()
        return receipt
      },
    }
    const acceptedBefore = app.whatsapp.accepted.length
    const id = await runThatLosesItsLease(
      'send-whatsapp',
      {
        to: '+447700900301',
        template: 'payment_reminder',
        values: { name: 'R', amount: '5.00', due: '2026-03-01' },
      },
      { ...app.deps, channels: { ...app.deps.channels, whatsapp } },
      gate,
    )
    // The runner lets go of a run the moment its lease is found lost; the handler writes this row just
    // after, so wait for it (a bounded wait, nothing about its duration is asserted).
    let audit = await app.messageAudit(id)
    for (let waited = 0; audit.length === 0 && waited < 100; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      audit = await app.messageAudit(id)
    }
    expect(audit).toEqual([
      expect.objectContaining({ ok: true, attempt: 1, error: expect.stringMatching(/^lease lost: /) }),
    ])

    const job = await runAgain('send-whatsapp', id)
    expect(job).toMatchObject({ status: 'completed', attempts: 2 })
    audit = await app.messageAudit(id)
    expect(audit.filter((row) => row.ok && row.error === null).map((row) => row.attempt)).toEqual([2])
    // At least once over HTTP: the WhatsApp Cloud API took the message twice, and the audit shows both.
    expect(app.whatsapp.accepted.length - acceptedBefore).toBe(2)
    expect(audit).toHaveLength(2)
  })
})
