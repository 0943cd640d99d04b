import { createBookingQueue, readBookingConfig } from '@nightshift/example-booking'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BookingFixture, startBookingFixture } from './booking-fixture.js'
import { invalidNumberAnswer, phoneNumberId, whatsappToken } from './whatsapp-cloud-server.js'

let app: BookingFixture

beforeAll(async () => {
  app = await startBookingFixture('notify')
})
afterAll(() => app.close())

const reminder = { name: 'Ada', amount: '25.00', due: '2026-03-01' }

/** An admin alert to `to` on one channel, as a job to enqueue. */
const alert = <Name extends 'send-whatsapp' | 'send-email'>(name: Name, to: string) => ({
  name,
  input: { to, template: 'admin_alert' as const, values: { subject: 's', detail: 'd' } },
})

describe('send-whatsapp', () => {
  it('sends a template message with the bearer token and audits it', async () => {
    const { id, status } = await app.runToEnd({
      name: 'send-whatsapp',
      input: { to: '+447700900001', template: 'payment_reminder', values: reminder },
    })
    expect(status).toBe('completed')
    const request = app.whatsapp.requests.at(-1)
    expect(request?.path).toBe(`/v21.0/${phoneNumberId}/messages`)
    expect(request?.headers.authorization).toBe(`Bearer ${whatsappToken}`)
    expect(JSON.parse(request?.body ?? '{}')).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '447700900001',
      type: 'template',
      template: {
        name: 'payment_reminder',
        language: { code: 'en' },
        components: [
          {
            type: 'body',
            parameters: ['Ada', '25.00', '2026-03-01'].map((text) => ({ type: 'text', text })),
          },
        ],
      },
    })
    expect(await app.messageAudit(id)).toEqual([
      expect.objectContaining({
        channel: 'whatsapp',
        provider: 'whatsapp-cloud',
        ok: true,
        attempt: 1,
        provider_response: expect.objectContaining({ messages: [{ id: expect.stringMatching(/^wamid/) }] }),
      }),
    ])
  })

  it('retries 429 and 500 with backoff and audits every attempt', async () => {
    app.whatsapp.failNext(
      { status: 429, body: { error: { message: 'Rate limit hit', code: 130429 } } },
      { status: 500, body: { error: { message: 'Service temporarily unavailable', code: 1 } } },
    )
    const job = await app.runToEnd(alert('send-whatsapp', '+15550100002'))
    expect(job?.status).toBe('completed')
    expect(job?.attempts).toBe(3)
    expect((await app.messageAudit(job.id)).map((row) => [row.ok, row.attempt])).toEqual([
      [false, 1],
      [false, 2],
      [true, 3],
    ])
    expect((await app.messageAudit(job.id))[0]?.error).toContain('429')
  })

  it('fails at once on an invalid number, with the provider’s message and the attempt audited', async () => {
    app.whatsapp.failNext(invalidNumberAnswer)
    const job = await app.runToEnd(alert('send-whatsapp', '+15550000000'))
    expect(job).toMatchObject({ status: 'failed', attempts: 1 })
    expect(job.errorMessage).toContain('131026')
    expect(await app.messageAudit(job.id)).toEqual([
      expect.objectContaining({ ok: false, attempt: 1, error: job.errorMessage }),
    ])
    const sent = app.whatsapp.requests.length
    expect(await app.claimableAfterBackoff()).toBe(0)
    expect(app.whatsapp.requests.length).toBe(sent)
  })

  it('gives up as failed after 5 attempts when the provider keeps failing', async () => {
    app.whatsapp.failNext(
      ...Array.from({ length: 5 }, () => ({ status: 503, body: { error: { message: 'down', code: 2 } } })),
    )
    const job = await app.runToEnd(alert('send-whatsapp', '+15550100003'))
    expect(job?.status).toBe('failed')
    expect(job?.attempts).toBe(5)
    expect(job?.errorMessage).toContain('503')
    expect((await app.messageAudit(job.id)).map((row) => row.ok)).toEqual([false, false, false, false, false])
  })

  it('rejects a payload that is not a phone number when it is enqueued', async () => {
    await expect(app.jobs.enqueueMany([alert('send-whatsapp', 'not a number')])).rejects.toThrow(/E\.164/)
  })
})

describe('send-email', () => {
  it('delivers over SMTP to the in-process server and audits it', async () => {
    const { id, status } = await app.runToEnd({
      name: 'send-email',
      input: {
        to: 'grace@example.com',
        template: 'payment_reminder',
        values: { ...reminder, name: 'Grace' },
      },
    })
    expect(status).toBe('completed')
    const mail = app.smtp.mails.at(-1)
    expect(mail?.to).toEqual(['grace@example.com'])
    expect(mail?.from).toBe('school@example.com')
    expect(mail?.raw).toContain('Subject: Payment reminder')
    expect(mail?.raw).toContain('Hello Grace, 25.00 was due on 2026-03-01')
    expect(await app.messageAudit(id)).toEqual([
      expect.objectContaining({ channel: 'email', provider: 'smtp', ok: true }),
    ])
  })

  it('fails the job at once when the server rejects the address (5xx)', async () => {
    app.smtp.rejectRecipient('gone@example.com')
    const job = await app.runToEnd(alert('send-email', 'gone@example.com'))
    expect(job).toMatchObject({ status: 'failed', attempts: 1 })
    expect(job.errorMessage).toContain('550')
    expect(await app.messageAudit(job.id)).toEqual([expect.objectContaining({ ok: false, attempt: 1 })])
    expect(await app.claimableAfterBackoff()).toBe(0)
  })
})

describe('configuration', () => {
  it('fails only the job whose channel lacks a variable, naming it; once set, a retry sends it', async () => {
    const config = readBookingConfig({
      WHATSAPP_PHONE_NUMBER_ID: phoneNumberId,
      WHATSAPP_API_BASE_URL: app.whatsapp.url,
      SMTP_URL: app.smtp.url,
      MAIL_FROM: 'school@example.com',
    })
    const { jobs } = createBookingQueue({ db: app.pool, config })
    try {
      const whatsapp = await jobs.enqueue('send-whatsapp', alert('send-whatsapp', '+15550100009').input)
      const email = await jobs.enqueue('send-email', alert('send-email', 'ok@example.com').input)
      const report = await jobs.process({ limit: 10 })
      expect(report).toMatchObject({ failed: 1, completed: 1, retried: 0 })
      expect(await jobs.getJob(whatsapp.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        errorMessage: 'WhatsApp is not configured: set the environment variable WHATSAPP_ACCESS_TOKEN',
      })
      expect((await jobs.getJob(email.id))?.status).toBe('completed')
      expect(await app.messageAudit(whatsapp.id)).toEqual([
        expect.objectContaining({ ok: false, error: expect.stringContaining('WHATSAPP_ACCESS_TOKEN') }),
      ])
      // The host restarted with the token set (app's queue): the failed job is retried and sent.
      await app.jobs.retry(whatsapp.id)
      await app.drain()
      expect((await app.jobs.getJob(whatsapp.id))?.status).toBe('completed')
      expect(app.whatsapp.accepted.at(-1)?.to).toBe('15550100009')
    } finally {
      await jobs.close()
    }
  })

  it('writes to the outbox (audit only) when no provider is configured', async () => {
    const before = app.whatsapp.requests.length
    const { jobs } = createBookingQueue({ db: app.pool, config: readBookingConfig({}) })
    try {
      const { id } = await jobs.enqueue('send-whatsapp', alert('send-whatsapp', '+15550100010').input)
      await jobs.process({ limit: 10 })
      expect((await jobs.getJob(id))?.status).toBe('completed')
      expect(await app.messageAudit(id)).toEqual([
        expect.objectContaining({ channel: 'whatsapp', provider: 'outbox', ok: true }),
      ])
      expect(app.whatsapp.requests.length).toBe(before)
    } finally {
      await jobs.close()
    }
  })

  it('names the variable when a number is malformed', () => {
    expect(() => readBookingConfig({ BOOKING_MONTHLY_WINDOW_DAYS: 'five' })).toThrow(
      /BOOKING_MONTHLY_WINDOW_DAYS must be a whole number/,
    )
  })
})
