// `npm run docs:screenshot`: makes docs/images/dashboard.png, the picture in the README. It runs the
// booking example's jobs on a fresh database, leaves the queue as a day of real use leaves it (runs
// completed, a message failed for good, one waiting for its retry, a Zoom run in flight with its
// progress), serves the dashboard with the Express adapter as `npm start` does, and photographs it in
// Debian's Chromium through playwright-core. Nothing in the picture is written by hand into the tables:
// every row is there because a job ran.
//
// Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres: a database is
// created beside it and dropped at the end) and Chromium at /usr/bin/chromium (CHROMIUM_PATH moves it).
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createRouter } from '@nightshift/adapter-express'
import {
  createBookingQueue,
  localZoomStandIn,
  migrateBooking,
  readBookingConfig,
  seedDemoData,
} from '@nightshift/example-booking'
import express from 'express'
import pg from 'pg'
import { chromium } from 'playwright-core'

const output = fileURLToPath(new URL('../docs/images/dashboard.png', import.meta.url))
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const token = randomBytes(24).toString('hex')

/** A stand-in for WhatsApp's Cloud API that answers as Meta documents: one number rate-limited once, one undeliverable. */
function startWhatsAppApi(): Promise<Server> {
  const limited = new Set<string>()
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      const to = (JSON.parse(body || '{}') as { to?: string }).to ?? ''
      const answer = (status: number, json: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(JSON.stringify(json))
      }
      // The Cloud API takes numbers without the +.
      if (to === '15550100002') {
        answer(400, {
          error: {
            code: 131026,
            message: 'Message undeliverable',
            error_data: { details: 'Message Undeliverable.' },
          },
        })
      } else if (to === '447700900001' && !limited.has(to)) {
        limited.add(to)
        answer(429, { error: { code: 130429, message: 'Rate limit hit' } })
      } else {
        answer(200, { messages: [{ id: `wamid.${randomBytes(12).toString('hex')}` }] })
      }
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** Waits for the next minute of the clock (the dashboard's chart counts runs per minute). */
function nextMinute(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000) + 200))
}

async function main(): Promise<void> {
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath} (apt-get install -y chromium)`)
  const name = `nightshift_screenshot_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database "${name}"`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 })
  const whatsapp = await startWhatsAppApi()
  let release = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  let meetings = 0
  const standIn = localZoomStandIn()
  const { jobs } = createBookingQueue({
    db: pool,
    config: readBookingConfig({
      WHATSAPP_API_BASE_URL: `http://127.0.0.1:${(whatsapp.address() as AddressInfo).port}`,
      WHATSAPP_PHONE_NUMBER_ID: '100000000000001',
      WHATSAPP_ACCESS_TOKEN: 'local-whatsapp-token',
      // The demo school's two coming classes, so the Zoom run has two to do.
      BOOKING_ZOOM_LOOKAHEAD_MINUTES: '2880',
    }),
    // A rate-limited message waits minutes for its next attempt (the chart's window is an hour).
    backoff: { baseMs: 300_000 },
    override: {
      // Zoom's local stand-in, held at the second class until the picture is taken: a run in flight.
      zoom: {
        async createMeeting(meeting, signal) {
          meetings += 1
          if (meetings === 2) await held
          return standIn.createMeeting(meeting, signal)
        },
      },
    },
  })
  const app = express()
  const server = app.listen(0, '127.0.0.1')
  try {
    await jobs.migrate()
    await migrateBooking(pool)
    await seedDemoData(pool)
    await jobs.tick() // each schedule's ledger starts at its latest slot, as on a first deploy

    // Three minutes of work, so the chart has more than one bar.
    await jobs.trigger('generate-t5-invoices', {})
    await jobs.trigger('generate-monthly-invoices', {})
    await nextMinute()
    await jobs.trigger('run-escalation-orchestration', {})
    await jobs.trigger('escalate-overdue-bookings', {})
    await nextMinute()
    await jobs.process({ limit: 50 }) // the notifications the escalations enqueued
    const zoom = jobs.trigger('schedule-create-zoom', {}, { waitMs: 120_000 })
    for (let tries = 0; ; tries++) {
      const { jobs: running } = await jobs.listJobs({
        names: ['schedule-create-zoom'],
        statuses: ['processing'],
      })
      if (running[0]?.progress) break
      if (tries > 200) throw new Error('the Zoom run never reported its progress')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    app.use(
      '/functions/v1',
      createRouter(jobs, {
        auth: { tokens: { [token]: '*' } },
        queueRoute: 'notification-worker',
        dashboard: {
          title: 'nightshift — bookings',
          panels: [
            {
              title: 'Messages',
              rows: async () =>
                (
                  await pool.query(
                    `select created_at as time, channel, recipient, template, ok, error
                     from booking.message_audit order by id desc limit 6`,
                  )
                ).rows,
            },
          ],
        },
      }),
    )
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', resolve)))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1`
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
      await page.goto(`${base}/dashboard`)
      await page.getByLabel('Token').fill(token)
      await Promise.all([
        page.waitForResponse(
          (response) => response.url() === `${base}/dashboard` && response.status() === 200,
        ),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ])
      await page.waitForLoadState()
      mkdirSync(fileURLToPath(new URL('../docs/images/', import.meta.url)), { recursive: true })
      await page.screenshot({ path: output, fullPage: true })
    } finally {
      await browser.close()
    }
    release()
    await zoom
    console.log(`wrote ${output} (${Math.round(statSync(output).size / 1024)} KB)`)
  } finally {
    release()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    whatsapp.close()
    await jobs.close()
    await pool.end()
    await admin.query(`drop database if exists "${name}" with (force)`)
    await admin.end()
  }
}

main().catch((error: unknown) => {
  console.error(`screenshot-dashboard: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
