import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createRouter } from '@nightshift/adapter-express'
import { createJobs, defineJob, JobFailError } from '@nightshift/jobs-core'
import express from 'express'
import pg from 'pg'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// The browser the issue names: Debian's chromium (.ci/run installs it when missing), not a download.
const chromiumPath = '/usr/bin/chromium'
const missing = !existsSync(chromiumPath)
if (missing) console.warn(`skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium)`)
const artifacts = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url))
const token = 'dashboard-browser-token-0123'

const definitions = [
  defineJob({
    name: 'send-whatsapp',
    run: () => {
      throw new JobFailError('WhatsApp Cloud API answered 400: template "reminder_v2" does not exist')
    },
  }),
  defineJob({ name: 'generate-t5-invoices', run: () => ({ invoices: 3 }) }),
] as const

let db: TestDatabase
let jobs: ReturnType<typeof createJobs<typeof definitions>>
let admin: pg.Client
let server: Server
let browser: Browser
let base: string
let failedId: string

beforeAll(async () => {
  if (missing) return
  db = await createTestDatabase('dashboard_chromium')
  jobs = createJobs({ db: db.url, jobs: definitions })
  await jobs.migrate()
  admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
  await jobs.enqueue('generate-t5-invoices', {})
  await jobs.enqueue('generate-t5-invoices', {})
  failedId = (await jobs.enqueue('send-whatsapp', {})).id
  await jobs.process({ limit: 10 })

  const app = express()
  app.use(
    '/functions/v1',
    createRouter(jobs, {
      auth: { tokens: { [token]: '*' } },
      dashboard: { title: 'nightshift — browser test' },
    }),
  )
  server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1`
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
})

afterAll(async () => {
  await browser?.close()
  if (server) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  await admin?.end()
  await jobs?.close()
  await db?.drop()
})

/** Clicks a form's button and waits for the dashboard it redirects to (the URL may not change). */
async function submitAndLand(page: Page, button: Locator): Promise<void> {
  const landed = page.waitForResponse(
    (response) =>
      response.url() === `${base}/dashboard` &&
      response.request().method() === 'GET' &&
      response.status() === 200,
    { timeout: 10_000 },
  )
  await button.click()
  await landed
  await page.waitForLoadState()
}

async function status(id: string): Promise<string> {
  const { rows } = await admin.query('select status from nightshift.jobs where id = $1', [id])
  return rows[0].status
}

test.skipIf(missing)(
  'log in through the form, see the counts and the failed job, Retry puts it back to pending',
  async () => {
    expect(await status(failedId)).toBe('failed')
    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } })
    const page = await context.newPage()
    // Anything the page's Content-Security-Policy blocked would show here.
    const blocked: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) blocked.push(message.text())
    })

    const first = await page.goto(`${base}/dashboard`)
    expect(first?.status()).toBe(401)
    await page.getByLabel('Token').fill(token)
    await submitAndLand(page, page.getByRole('button', { name: 'Sign in' }))
    expect(page.url()).toBe(`${base}/dashboard`)
    const cookies = await context.cookies()
    expect(cookies.map(({ name, httpOnly, sameSite }) => ({ name, httpOnly, sameSite }))).toEqual([
      { name: 'nightshift_dashboard', httpOnly: true, sameSite: 'Strict' },
    ])
    expect(cookies[0]?.value).not.toContain(token)

    const stat = (label: string) => page.locator(`[data-stat="${label}"] .value`)
    expect(await stat('completed').textContent()).toBe('2')
    expect(await stat('failed').textContent()).toBe('1')
    expect(await stat('pending').textContent()).toBe('0')
    const failedRow = page.locator(`tr[data-failed-job-id="${failedId}"]`)
    expect(await failedRow.isVisible()).toBe(true)
    expect(await failedRow.textContent()).toContain('template "reminder_v2" does not exist')
    expect(await page.locator('svg.chart').isVisible()).toBe(true)

    await mkdir(artifacts, { recursive: true })
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true })

    await submitAndLand(page, failedRow.getByRole('button', { name: 'Retry' }))
    expect(page.url()).toBe(`${base}/dashboard`)
    expect(await status(failedId)).toBe('pending')
    expect(await stat('pending').textContent()).toBe('1')
    expect(await stat('failed').textContent()).toBe('0')
    expect(await page.locator(`tr[data-failed-job-id="${failedId}"]`).count()).toBe(0)
    expect(await page.getByText('No failed jobs.').isVisible()).toBe(true)
    expect(blocked).toEqual([])
    await context.close()
  },
)
