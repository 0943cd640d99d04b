import { createHandler, defineJob, JobFailError } from '@nightshift/jobs-core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeHtml, html } from '../src/dashboard/html-escape.js'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const token = 'dashboard-reader-token-01'
const hostile = `<script>alert("owned")</script> & 'quotes'`
const escapedHostile = '&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;'

const definitions = [
  defineJob({
    name: 'nightly-report',
    schedule: { cron: '0 2 * * *', timezone: 'Europe/London' },
    run: () => {},
  }),
  defineJob({
    name: 'send-email',
    run: () => {
      throw new JobFailError(hostile)
    },
  }),
  defineJob({
    name: 'resize-image',
    run: async () => {
      await new Promise((resolve) => setTimeout(resolve, 250))
      return { ok: true }
    },
  }),
] as const

let served: ServedJobs<typeof definitions>
let jobs: ServedJobs<typeof definitions>['jobs']
let server: ServedJobs<typeof definitions>['server']
let admin: pg.Client
const logged: { message: string; fields?: Record<string, unknown> }[] = []
let page: string
let response: Response

beforeAll(async () => {
  const logger = {
    debug() {},
    info() {},
    warn() {},
    error(message: string, fields?: Record<string, unknown>) {
      logged.push({ message, ...(fields ? { fields } : {}) })
    },
  }
  // The panel reads the host's own table through the admin client.
  served = await serveJobs(
    'dashboard_page',
    definitions,
    (jobs, admin) =>
      createHandler(jobs, {
        auth: { tokens: [token] },
        dashboard: {
          title: `Bookings <i>jobs</i>`,
          panels: [
            {
              title: 'Messages',
              rows: async () =>
                (await admin.query('select id, recipient, body, sent_at, meta from host_messages')).rows,
            },
            {
              title: 'Broken panel',
              rows: async () => {
                throw new Error('relation "missing_table" does not exist')
              },
            },
          ],
        },
      }),
    { logger },
  )
  ;({ jobs, admin, server } = served)
  await admin.query(
    `create table host_messages (id int, recipient text, body text, sent_at timestamptz, meta jsonb)`,
  )
  await admin.query(
    `insert into host_messages values (1, 'ada@example.com', $1, '2025-03-01T14:05:09Z', '{"k":"<v>"}')`,
    [hostile],
  )

  await jobs.enqueue('resize-image', {})
  await jobs.enqueue('resize-image', {})
  await jobs.enqueue('send-email', {})
  await jobs.process({ limit: 10 })
  await jobs.enqueue('resize-image', {}, { runAt: new Date(Date.now() - 5 * 60_000) }) // pending, due 5 min ago
  await jobs.tick({ now: new Date() })

  response = await fetch(`${server.url}/dashboard`, { headers: { authorization: `Bearer ${token}` } })
  page = await response.text()
})

afterAll(async () => {
  await served?.close()
})

function stat(label: string): string | undefined {
  const match = new RegExp(
    `data-stat="${label}"><div class="label">[^<]*</div><div class="value">([^<]*)</div>`,
  ).exec(page)
  return match?.[1]
}

describe('the dashboard page', () => {
  it('is one HTML page with the security headers and a self-refresh, loading nothing external', () => {
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page).toMatch(/^<!doctype html>/)
    expect(page).toContain('<meta http-equiv="refresh" content="10">')
    expect(page).not.toMatch(/<script|<link|src=|@import|url\(/i)
  })

  it('shows counts by status, the oldest pending age and stuck jobs', async () => {
    const stats = await jobs.stats()
    expect(stats.counts).toMatchObject({ completed: 2, failed: 1 })
    expect(stats.counts.pending).toBeGreaterThanOrEqual(1)
    for (const status of ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const) {
      expect(stat(status), status).toBe(String(stats.counts[status]))
    }
    // One pending job has been due for 5 minutes, so the age is never the empty '—'.
    expect(stat('oldest pending')).toMatch(/^\d+ (?:s|min|h \d+ min|d \d+ h)$/)
    expect(stats.oldestPendingSeconds).toBeGreaterThanOrEqual(299)
    expect(stat('stuck')).toBe(String(stats.stuck))
  })

  it('lists every schedule with its plain-English description, zone, last slot and next run', () => {
    const row = /<tr data-schedule="nightly-report">([\s\S]*?)<\/tr>/.exec(page)?.[1] ?? ''
    expect(row).toContain('At 02:00 every day (Europe/London)')
    expect(row).toContain('<td>Europe/London</td>')
    expect(row).toMatch(/\d{4}-\d\d-\d\d 0[12]:00:00Z/) // the last slot the tick dealt with, in UTC
    expect(row).toMatch(/\d{4}-\d\d-\d\dT02:00:00\+0[01]:00/) // the next run, London time
  })

  it('lists recent runs with name, status, attempts, duration and error', async () => {
    const { rows } = await admin.query(
      `select id::text from nightshift.jobs where type = 'resize-image' and status = 'completed'`,
    )
    for (const { id } of rows) {
      const row = new RegExp(`<tr data-job-id="${id}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? ''
      expect(row).toContain('resize-image')
      expect(row).toContain('status-completed')
      expect(row).toContain('1 / 5')
      const ms = Number(/<td>(\d+) ms<\/td>/.exec(row)?.[1])
      expect(ms).toBeGreaterThanOrEqual(240)
      expect(ms).toBeLessThan(5000)
    }
  })

  it('lists failed jobs with a Retry form, and escapes the error message everywhere', async () => {
    const { rows } = await admin.query(`select id::text from nightshift.jobs where status = 'failed'`)
    const id = rows[0].id as string
    const row = new RegExp(`<tr data-failed-job-id="${id}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? ''
    expect(row).toContain(`<form class="inline" method="post" action="dashboard/jobs/${id}/retry">`)
    expect(row).toContain('<button type="submit">Retry</button>')
    // Bearer-authenticated pages carry no CSRF field: only cookie sessions need one.
    expect(row).not.toContain('name="csrf"')
    expect(row).toContain(escapedHostile)
    expect(page).not.toContain('<script>')
    expect(page).not.toContain(`'quotes'`)
  })

  it("shows the host's panels as escaped tables, and a failed panel without its error", () => {
    expect(page).toContain('<title>Bookings &lt;i&gt;jobs&lt;/i&gt;</title>')
    const messages = /<h2>Messages<\/h2>([\s\S]*?)<\/table>/.exec(page)?.[1] ?? ''
    expect(messages).toContain('<th>id</th><th>recipient</th><th>body</th><th>sent_at</th><th>meta</th>')
    expect(messages).toContain('<td>ada@example.com</td>')
    expect(messages).toContain(`<td>${escapedHostile}</td>`)
    expect(messages).toContain('<td>2025-03-01 14:05:09Z</td>')
    expect(messages).toContain('<td>{&quot;k&quot;:&quot;&lt;v&gt;&quot;}</td>')
    const broken = /<h2>Broken panel<\/h2>([\s\S]*?)<\/p>/.exec(page)?.[1] ?? ''
    expect(broken).toContain('could not be read')
    expect(page).not.toContain('missing_table')
    expect(logged).toContainEqual({
      message: 'nightshift dashboard panel failed',
      fields: { panel: 'Broken panel', error: 'relation "missing_table" does not exist' },
    })
  })
})

describe('html escaping', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(hostile)).toBe(escapedHostile)
  })

  it('html`` escapes every value but nested html, in text and attributes', () => {
    const error = `"><script>alert(1)</script>`
    const cell = html`<td title="${error}">${error}</td>`
    expect(cell.text).toBe(
      '<td title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>',
    )
    expect(html`<tr>${[cell, 'a<b']}</tr>${false}${null}`.text).toBe(`<tr>${cell.text}a&lt;b</tr>`)
  })
})
