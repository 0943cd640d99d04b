import { type Escalated, runEscalationOrchestration } from '@nightshift/example-booking'
import { createHandler } from '@nightshift/jobs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'

let app: BookingFixture
let invoice: string
let unconfirmed: string
/** Made in the cool-down test, stepped up further by the forced runs after it. */
let katsBooking: string
const start = new Date('2026-03-10T02:00:00Z')
const after = (hours: number) => new Date(start.getTime() + hours * 3_600_000)

beforeAll(async () => {
  app = await startBookingFixture('escalation')
  app.clock.now = start
  const ada = await app.addCustomer({
    name: 'Ada',
    email: 'ada@example.com',
    whatsapp: '+447700900001',
  })
  const grace = await app.addCustomer({ name: 'Grace', email: 'grace@example.com' })
  const { rows } = await app.pool.query<{ id: string }>(
    `insert into booking.invoices (customer_id, kind, period_key, lines, total_cents, due_at) values
       ($1, 't5', '2026-02-20', '[]', 2500, '2026-03-06T00:00:00Z'),
       ($1, 't5', '2026-02-21', '[]', 900, '2026-03-06T00:00:00Z'),
       ($1, 't5', '2026-03-01', '[]', 100, '2026-04-15T00:00:00Z')
     returning id`,
    [ada],
  )
  invoice = rows[0]?.id as string
  // The second invoice is paid; the third is not due yet: neither escalates.
  await app.pool.query(`update booking.invoices set paid_at = now() where id = $1`, [rows[1]?.id])
  const future = await app.addClass('2026-03-20T10:00:00Z', 'Pilates')
  unconfirmed = await app.addBooking({
    customerId: grace,
    classId: future,
    status: 'pending',
    createdAt: '2026-03-08T00:00:00Z',
  })
  // Made an hour ago, so not unconfirmed yet; and once it would be, its class has started.
  const tonight = await app.addClass('2026-03-10T20:00:00Z', 'Evening yoga')
  await app.addBooking({
    customerId: ada,
    classId: tonight,
    status: 'pending',
    createdAt: '2026-03-10T01:00:00Z',
  })
})
afterAll(() => app.close())

const summary = (escalated: { subject: string; id: string; level: number }[]) =>
  escalated.map(({ subject, id, level }) => `${subject}:${id}:${level}`)

describe('run-escalation-orchestration', () => {
  it('steps each outstanding item to level 1 and enqueues its reminder', async () => {
    const { escalated } = await runEscalationOrchestration(app.deps, { force: false })
    expect(summary(escalated)).toEqual([
      `unpaid-invoice:${invoice}:1`,
      `unconfirmed-booking:${unconfirmed}:1`,
    ])
    const sent = await app.notificationJobs()
    expect(sent.map((job) => [job.type, job.payload.to, job.payload.template, job.idempotency_key])).toEqual([
      ['send-whatsapp', '+447700900001', 'payment_reminder', `escalation:unpaid-invoice:${invoice}:1`],
      [
        'send-email',
        'grace@example.com',
        'booking_confirmation',
        `escalation:unconfirmed-booking:${unconfirmed}:1`,
      ],
    ])
    expect(sent[0]?.payload.values).toEqual({ name: 'Ada', amount: '25.00', due: '2026-03-06' })
  })

  it('takes no step again inside the cool-down, nor when two runs race', async () => {
    app.clock.now = after(23)
    expect((await runEscalationOrchestration(app.deps, { force: false })).escalated).toEqual([])
    app.clock.now = after(25)
    const both = await Promise.all([
      runEscalationOrchestration(app.deps, { force: false }),
      runEscalationOrchestration(app.deps, { force: false }),
    ])
    // The booking's 24 h cool-down has passed, the invoice's 72 h has not: one step, taken once.
    expect(summary(both.flatMap((run) => run.escalated))).toEqual([`unconfirmed-booking:${unconfirmed}:2`])
    expect(await app.notificationJobs()).toHaveLength(3)
  })

  it('climbs to the admin alert and stops at the top of the ladder', async () => {
    app.clock.now = after(50)
    expect(summary((await runEscalationOrchestration(app.deps, { force: false })).escalated)).toEqual([
      `unconfirmed-booking:${unconfirmed}:3`,
    ])
    const alert = (await app.notificationJobs()).at(-1)
    expect([alert?.type, alert?.payload.to, alert?.payload.template]).toEqual([
      'send-email',
      'admin@school.example',
      'admin_alert',
    ])
    app.clock.now = after(200)
    expect(summary((await runEscalationOrchestration(app.deps, { force: false })).escalated)).toEqual([
      `unpaid-invoice:${invoice}:2`,
    ])
  })

  it('force ignores the cool-down, one rung per run', async () => {
    const forced = await runEscalationOrchestration(app.deps, { force: true })
    expect(forced.escalated).toEqual([
      expect.objectContaining({ subject: 'unpaid-invoice', id: invoice, level: 3, forced: true }),
    ])
    expect((await runEscalationOrchestration(app.deps, { force: true })).escalated).toEqual([])
  })

  it('runs through the queue with the workflow body and delivers what it enqueued', async () => {
    await app.pool.query('update booking.bookings set status = $1 where id = $2', ['pending', unconfirmed])
    const { id } = await app.jobs.enqueue('run-escalation-orchestration', { force: false })
    await app.drain()
    expect((await app.jobs.getJob(id))?.result).toEqual({ escalated: [] })
    const statuses = (await app.notificationJobs()).map((job) => job.status)
    expect(statuses.every((status) => status === 'completed')).toBe(true)
    expect(app.smtp.mails.map((mail) => mail.to[0])).toContain('admin@school.example')
  })

  it('enqueues the message in the step’s transaction: a step that fails at commit leaves no message', async () => {
    const { rows } = await app.pool.query<{ id: string }>(
      `insert into booking.invoices (customer_id, kind, period_key, lines, total_cents, due_at)
       select customer_id, 't5', '2026-03-02', '[]', 300, '2026-03-07T00:00:00Z' from booking.invoices limit 1 returning id`,
    )
    const fresh = rows[0]?.id as string
    // A real deferred trigger makes COMMIT fail after the step and its enqueue have both been written.
    await app.pool.query(`
      create function booking.refuse_step() returns trigger language plpgsql as $$
      begin raise exception 'step refused at commit'; end $$;
      create constraint trigger refuse_step after insert on booking.escalations
        deferrable initially deferred for each row execute function booking.refuse_step();`)
    try {
      await expect(runEscalationOrchestration(app.deps, { force: false })).rejects.toThrow(
        'step refused at commit',
      )
    } finally {
      await app.pool.query(
        'drop trigger refuse_step on booking.escalations; drop function booking.refuse_step()',
      )
    }
    const keys = (await app.notificationJobs()).map((job) => job.idempotency_key)
    expect(keys).not.toContain(`escalation:unpaid-invoice:${fresh}:1`)
    // Without the trigger the same run takes the step and enqueues the message.
    const { escalated } = await runEscalationOrchestration(app.deps, { force: false })
    expect(summary(escalated)).toEqual([`unpaid-invoice:${fresh}:1`])
    expect((await app.notificationJobs()).map((job) => job.idempotency_key)).toContain(
      `escalation:unpaid-invoice:${fresh}:1`,
    )
  })

  it('a 24-hour cool-down runs from slot to slot: the next daily run steps, though it started earlier in its minute', async () => {
    const kat = await app.addCustomer({ name: 'Kat', email: 'kat@example.com' })
    katsBooking = await app.addBooking({
      customerId: kat,
      classId: await app.addClass('2026-04-20T10:00:00Z', 'Spin'),
      status: 'pending',
      createdAt: '2026-04-01T00:00:00Z',
    })
    const run = async (now: string) => {
      app.clock.now = new Date(now)
      const outcome = await app.jobs.trigger(
        'run-escalation-orchestration',
        { force: false },
        { now: app.clock.now },
      )
      return summary(
        (outcome.result as { escalated: Escalated[] }).escalated.filter((step) => step.id === katsBooking),
      )
    }
    expect(await run('2026-04-05T02:00:40Z')).toEqual([`unconfirmed-booking:${katsBooking}:1`])
    // 23 h 59 min 30 s of wall clock later, but the next day's slot: the cool-down has passed.
    expect(await run('2026-04-06T02:00:10Z')).toEqual([`unconfirmed-booking:${katsBooking}:2`])
    const { rows } = await app.pool.query<{ escalated_at: Date }>(
      `select escalated_at from booking.escalations where subject_id = $1 and subject_kind = 'unconfirmed-booking' order by level`,
      [katsBooking],
    )
    expect(rows.map((row) => row.escalated_at.toISOString())).toEqual([
      '2026-04-05T02:00:00.000Z',
      '2026-04-06T02:00:00.000Z',
    ])
  })

  it('the workflow’s {"force":true} over HTTP ignores the cool-down and records the step as forced', async () => {
    // Kat's booking reached level 2 at the 04-06 slot; level 3 would wait 24 h.
    app.clock.now = new Date('2026-04-06T09:00:00Z')
    const cronSecret = 'cron-secret-escalation-0123456789'
    const handler = createHandler(app.jobs, {
      auth: { tokens: { [cronSecret]: ['run-escalation-orchestration'] } },
      now: () => app.clock.now,
    })
    const response = await handler(
      new Request('http://booking.test/run-escalation-orchestration', {
        method: 'POST',
        headers: { Authorization: `Bearer ${cronSecret}`, 'Content-Type': 'application/json' },
        body: '{"force":true}',
      }),
    )
    const json = await response.json()
    expect(json).toMatchObject({
      ok: true,
      status: 'completed',
      forced: true,
      slot: '2026-04-06T02:00:00.000Z',
    })
    expect(json.result.escalated.filter((step: Escalated) => step.id === katsBooking)).toEqual([
      expect.objectContaining({ level: 3, audience: 'admin', forced: true }),
    ])
    const { rows } = await app.pool.query<{ level: number; forced: boolean }>(
      `select level, forced from booking.escalations where subject_id = $1 and subject_kind = 'unconfirmed-booking' order by level`,
      [katsBooking],
    )
    expect(rows).toEqual([
      { level: 1, forced: false },
      { level: 2, forced: false },
      { level: 3, forced: true },
    ])
  })

  it('trigger({ force: true }) with the input’s force left false still ignores the cool-down', async () => {
    const lin = await app.addCustomer({ name: 'Lin', email: 'lin@example.com' })
    const booking = await app.addBooking({
      customerId: lin,
      classId: await app.addClass('2026-04-20T12:00:00Z', 'Row'),
      status: 'pending',
      createdAt: '2026-04-01T00:00:00Z',
    })
    const levels = async (force: true) => {
      const outcome = await app.jobs.trigger(
        'run-escalation-orchestration',
        { force: false },
        { force, now: app.clock.now },
      )
      return (outcome.result as { escalated: Escalated[] }).escalated
        .filter((step) => step.id === booking)
        .map((step) => [step.level, step.forced])
    }
    expect(await levels(true)).toEqual([[1, true]])
    // Unforced, level 2 waits out its 24 h; forced again, it is taken at once.
    const unforced = await runEscalationOrchestration(app.deps, { force: false })
    expect(unforced.escalated.filter((step) => step.id === booking)).toEqual([])
    expect(await levels(true)).toEqual([[2, true]])
  })
})
