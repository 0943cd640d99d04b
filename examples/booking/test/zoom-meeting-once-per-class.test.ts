import {
  createBookingQueue,
  readBookingConfig,
  scheduleCreateZoom,
  type ZoomProgress,
} from '@nightshift/example-booking'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'
import { zoomAccount } from './zoom-api-server.js'

let app: BookingFixture
const noon = new Date('2026-03-10T12:00:00Z')
const inHours = (hours: number) => new Date(noon.getTime() + hours * 3_600_000).toISOString()

beforeAll(async () => {
  app = await startBookingFixture('zoom', { tokenLifetimeSeconds: 3600 })
  app.clock.now = noon
})
afterAll(() => app.close())

async function meetings() {
  const { rows } = await app.pool.query<{
    id: string
    zoom_meeting_id: string | null
    zoom_join_url: string | null
  }>('select id, zoom_meeting_id, zoom_join_url from booking.classes order by id')
  return rows
}

describe('schedule-create-zoom', () => {
  it('gives classes inside the look-ahead a meeting through S2S OAuth, and tells their attendees', async () => {
    const soon = await app.addClass(inHours(2), 'Breathing', 30)
    const later = await app.addClass(inHours(20))
    const tooFar = await app.addClass(inHours(30))
    const past = await app.addClass(inHours(-1))
    const ada = await app.addCustomer({
      name: 'Ada',
      email: 'ada@example.com',
      whatsapp: '+447700900001',
    })
    const grace = await app.addCustomer({ name: 'Grace', email: 'grace@example.com' })
    await app.addBooking({ customerId: ada, classId: soon })
    await app.addBooking({ customerId: grace, classId: soon })
    // A malformed number falls back to e-mail; with no valid address either, the meeting is still made.
    const hedy = await app.addCustomer({ name: 'Hedy', email: 'hedy@example.com', whatsapp: '12' })
    const nobody = await app.addCustomer({ name: 'Nobody', email: 'not an address' })
    await app.addBooking({ customerId: hedy, classId: soon })
    await app.addBooking({ customerId: nobody, classId: soon })
    await app.addBooking({ customerId: grace, classId: later, status: 'pending' })

    const progress: ZoomProgress[] = []
    const report = await scheduleCreateZoom(app.deps, { progress: (value) => progress.push(value) })
    expect(report.created.map((created) => created.classId)).toEqual([soon, later])
    expect(progress).toEqual([
      { classes: 2, done: 0 },
      { classes: 2, done: 1 },
      { classes: 2, done: 2 },
    ])
    const byId = new Map((await meetings()).map((row) => [row.id, row]))
    expect(byId.get(soon)?.zoom_join_url).toMatch(/^https:\/\/zoom\.example\/j\/\d+$/)
    expect(byId.get(tooFar)?.zoom_meeting_id).toBeNull()
    expect(byId.get(past)?.zoom_meeting_id).toBeNull()

    const token = app.zoom.requests.find((request) => request.path === '/oauth/token')
    expect(token?.query.get('grant_type')).toBe('account_credentials')
    expect(token?.query.get('account_id')).toBe(zoomAccount.accountId)
    const create = app.zoom.requests.find((request) => request.path === '/v2/users/me/meetings')
    expect(create?.headers.authorization).toBe('Bearer zoom-token-1')
    expect(JSON.parse(create?.body ?? '{}')).toEqual({
      topic: 'Breathing',
      type: 2,
      start_time: inHours(2).replace('.000Z', 'Z'),
      duration: 30,
      timezone: 'UTC',
    })
    expect(app.zoom.tokenRequests()).toBe(1)

    // Confirmed attendees only: Ada on WhatsApp, Grace and Hedy by e-mail.
    const sent = await app.notificationJobs()
    expect(sent.map((job) => [job.type, job.payload.to, job.payload.template])).toEqual([
      ['send-whatsapp', '+447700900001', 'class_notification'],
      ['send-email', 'grace@example.com', 'class_notification'],
      ['send-email', 'hedy@example.com', 'class_notification'],
    ])
    expect(sent[0]?.payload.values.join_url).toBe(byId.get(soon)?.zoom_join_url)
    await app.drain()
    expect(app.whatsapp.accepted.map((body) => body.template.name)).toEqual(['class_notification'])
    expect(app.smtp.mails.map((mail) => mail.to).sort()).toEqual([
      ['grace@example.com'],
      ['hedy@example.com'],
    ])
  })

  it('makes nothing on a second run, and reuses the token until it expires', async () => {
    const before = app.zoom.meetingsCreated()
    expect((await scheduleCreateZoom(app.deps)).created).toEqual([])
    expect(app.zoom.meetingsCreated()).toBe(before)
    await app.addClass(inHours(3))
    await scheduleCreateZoom(app.deps)
    expect(app.zoom.tokenRequests()).toBe(1)
    app.clock.now = new Date(noon.getTime() + 3_600_000)
    await app.addClass(inHours(5))
    await scheduleCreateZoom(app.deps)
    expect(app.zoom.tokenRequests()).toBe(2)
    app.clock.now = noon
  })

  it('never makes two meetings for one class when two runs overlap', async () => {
    const a = await app.addClass(inHours(6))
    const b = await app.addClass(inHours(7))
    app.zoom.state.meetingDelayMs = 300
    const before = app.zoom.meetingsCreated()
    const [one, two] = await Promise.all([scheduleCreateZoom(app.deps), scheduleCreateZoom(app.deps)])
    app.zoom.state.meetingDelayMs = 0
    expect([...one.created, ...two.created].map((created) => created.classId).sort()).toEqual([a, b].sort())
    expect(app.zoom.meetingsCreated() - before).toBe(2)
    // And as two queued jobs run side by side (the workflow's "Run workflow" pressed twice):
    const c = await app.addClass(inHours(8))
    app.zoom.state.meetingDelayMs = 200
    await app.jobs.enqueue('schedule-create-zoom', { force_invoke: true })
    await app.jobs.enqueue('schedule-create-zoom', {})
    const report = await app.jobs.process({ limit: 2, concurrency: 2, names: ['schedule-create-zoom'] })
    expect(report.completed).toBe(2)
    app.zoom.state.meetingDelayMs = 0
    expect(app.zoom.meetingsCreated() - before).toBe(3)
    expect((await meetings()).find((row) => row.id === c)?.zoom_meeting_id).not.toBeNull()
  })

  it('retries 429 and 5xx with backoff', async () => {
    const klass = await app.addClass(inHours(9))
    app.zoom.failNext(
      { status: 429, body: { code: 429, message: 'Too many requests' } },
      { status: 502, body: { code: 502, message: 'Bad gateway' } },
    )
    const job = await app.runToEnd({ name: 'schedule-create-zoom', input: {} })
    expect(job.status).toBe('completed')
    expect(job.attempts).toBe(3)
    expect((await meetings()).find((row) => row.id === klass)?.zoom_meeting_id).not.toBeNull()
  })

  it('once a meeting is made, a 429 commits it (a retry would make it again) and leaves the rest to the next run', async () => {
    const first = await app.addClass(inHours(11))
    const second = await app.addClass(inHours(12))
    app.zoom.failNext(
      { status: 201, body: { id: 86_000_000_001, join_url: 'https://zoom.example/j/86000000001' } },
      { status: 429, body: { code: 429, message: 'Too many requests' } },
    )
    const job = await app.runToEnd({ name: 'schedule-create-zoom', input: {} })
    expect(job).toMatchObject({ status: 'completed', attempts: 1 })
    expect(job.result).toMatchObject({
      created: [{ classId: first, meetingId: '86000000001' }],
      failed: [{ classId: second, error: expect.stringContaining('answered 429') }],
    })
    const byId = new Map((await meetings()).map((row) => [row.id, row.zoom_meeting_id]))
    expect([byId.get(first), byId.get(second)]).toEqual(['86000000001', null])
    const next = await app.runToEnd({ name: 'schedule-create-zoom', input: {} })
    expect(next.result).toMatchObject({ created: [{ classId: second }], failed: [] })
  })

  it('once a meeting is made, a class Zoom refuses with another 4xx is passed over, and the others still get theirs', async () => {
    const [a, refused, c] = [
      await app.addClass(inHours(13)),
      await app.addClass(inHours(14)),
      await app.addClass(inHours(15)),
    ]
    app.zoom.failNext(
      { status: 201, body: { id: 86_000_000_002, join_url: 'https://zoom.example/j/86000000002' } },
      { status: 400, body: { code: 300, message: 'Invalid start_time' } },
    )
    const job = await app.runToEnd({ name: 'schedule-create-zoom', input: {} })
    expect(job).toMatchObject({ status: 'completed', attempts: 1 })
    expect(job.result).toMatchObject({
      created: [{ classId: a }, { classId: c }],
      failed: [{ classId: refused, error: 'Zoom create meeting answered 400: Invalid start_time' }],
    })
    // Left for the next run, which makes it now that Zoom accepts it.
    expect((await app.runToEnd({ name: 'schedule-create-zoom', input: {} })).result).toMatchObject({
      created: [{ classId: refused }],
    })
  })

  it("fails the job with Zoom's message on another 4xx, without retrying", async () => {
    const klass = await app.addClass(inHours(10))
    app.zoom.failNext({ status: 400, body: { code: 300, message: 'Invalid start_time' } })
    const job = await app.runToEnd({ name: 'schedule-create-zoom', input: {} })
    expect(job).toMatchObject({
      status: 'failed',
      attempts: 1,
      errorMessage: 'Zoom create meeting answered 400: Invalid start_time',
    })
    const calls = app.zoom.requests.length
    expect(await app.claimableAfterBackoff()).toBe(0)
    expect(app.zoom.requests.length).toBe(calls)
    expect((await meetings()).find((row) => row.id === klass)?.zoom_meeting_id).toBeNull()
  })

  it('names the missing variable when Zoom is not configured', async () => {
    const { jobs } = createBookingQueue({
      db: app.pool,
      config: readBookingConfig({ ZOOM_CLIENT_ID: 'x' }),
      now: () => noon,
    })
    try {
      const { id } = await jobs.enqueue('schedule-create-zoom', {})
      expect(await jobs.process({ limit: 1 })).toMatchObject({ failed: 1, retried: 0 })
      expect(await jobs.getJob(id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        errorMessage: 'Zoom is not configured: set the environment variable ZOOM_ACCOUNT_ID',
      })
    } finally {
      await jobs.close()
    }
  })
})
