import { createHandler, defineJob, JobFailError } from '@nightshift/jobs-core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postForm } from './post-form.js'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const token = 'dashboard-operator-token-1'
let failNext = true
const definitions = [
  defineJob({
    name: 'send-whatsapp',
    run: () => {
      if (failNext) throw new JobFailError('the provider refused the template')
      return { sent: true }
    },
  }),
  defineJob({ name: 'generate-t5-invoices', run: () => ({ invoices: 0 }) }),
] as const

let served: ServedJobs<typeof definitions>
let jobs: ServedJobs<typeof definitions>['jobs']
let server: ServedJobs<typeof definitions>['server']
let admin: pg.Client
let base: string
let cookie: string

async function failedJob(): Promise<string> {
  failNext = true
  const { id } = await jobs.enqueue('send-whatsapp', {})
  await jobs.process({ limit: 1 })
  expect(await status(id)).toBe('failed')
  return id
}

async function status(id: string): Promise<string> {
  const { rows } = await admin.query('select status from nightshift.jobs where id = $1', [id])
  return rows[0].status
}

/** The retry form of a job as the page renders it for this cookie: its action and CSRF value. */
async function retryForm(id: string): Promise<{ action: string; csrf: string }> {
  const page = await (await fetch(`${base}/dashboard`, { headers: { cookie } })).text()
  const row = new RegExp(`<tr data-failed-job-id="${id}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? ''
  const action = /action="([^"]+)"/.exec(row)?.[1]
  const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(row)?.[1]
  expect(action).toBe(`dashboard/jobs/${id}/retry`)
  expect(csrf).toBeDefined()
  return { action: action as string, csrf: csrf as string }
}

beforeAll(async () => {
  served = await serveJobs('dashboard_retry', definitions, (jobs) =>
    createHandler(jobs, { basePath: '/functions/v1', auth: { tokens: { [token]: ['dashboard'] } } }),
  )
  ;({ jobs, admin, server } = served)
  base = `${server.url}/functions/v1`
  const login = await postForm(base, '/dashboard/login', { token })
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
  expect(cookie).toMatch(/^nightshift_dashboard=/)
})

afterAll(async () => {
  await served?.close()
})

describe('Retry on the dashboard', () => {
  it('with the cookie and the form CSRF value, puts the failed job back to pending and redirects 303', async () => {
    const id = await failedJob()
    const { action, csrf } = await retryForm(id)
    const response = await postForm(base, `/${action}`, { csrf }, { cookie, origin: new URL(base).origin })
    expect(response.status).toBe(303)
    // Relative, so it lands on the dashboard under any mount path.
    expect(response.headers.get('location')).toBe('../../../dashboard')
    expect(new URL(response.headers.get('location') as string, `${base}/${action}`).pathname).toBe(
      '/functions/v1/dashboard',
    )
    const { rows } = await admin.query('select status, attempts from nightshift.jobs where id = $1', [id])
    expect(rows[0]).toEqual({ status: 'pending', attempts: 0 })
    failNext = false
    await jobs.process({ limit: 1 })
    expect(await status(id)).toBe('completed')
  })

  it('with the cookie, refuses a POST without the CSRF field, or with a wrong one (403), and changes nothing', async () => {
    const id = await failedJob()
    const { csrf } = await retryForm(id)
    const wrong = csrf.replace(/^./, (first) => (first === 'a' ? 'b' : 'a'))
    for (const fields of <Record<string, string>[]>[{}, { csrf: wrong }, { csrf: '' }]) {
      const response = await postForm(base, `/dashboard/jobs/${id}/retry`, fields, { cookie })
      expect(response.status).toBe(403)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(await response.text()).toContain('did not come from the dashboard')
    }
    expect(await status(id)).toBe('failed')
  })

  it('refuses a cross-origin POST even with the cookie and the right CSRF value', async () => {
    const id = await failedJob()
    const { csrf } = await retryForm(id)
    for (const origin of ['https://evil.example', 'null']) {
      const response = await postForm(base, `/dashboard/jobs/${id}/retry`, { csrf }, { cookie, origin })
      expect(response.status).toBe(403)
    }
    expect(await status(id)).toBe('failed')
  })

  it('needs no CSRF field with a bearer header, and answers 401 with neither cookie nor header', async () => {
    const id = await failedJob()
    const anonymous = await postForm(base, `/dashboard/jobs/${id}/retry`, {})
    expect(anonymous.status).toBe(401)
    expect(await status(id)).toBe('failed')
    const bearer = await postForm(
      base,
      `/dashboard/jobs/${id}/retry`,
      {},
      { authorization: `Bearer ${token}` },
    )
    expect(bearer.status).toBe(303)
    expect(await status(id)).toBe('pending')
    // Retrying it again: it is no longer failed, and the page says so.
    const again = await postForm(
      base,
      `/dashboard/jobs/${id}/retry`,
      {},
      { authorization: `Bearer ${token}` },
    )
    expect(again.status).toBe(400)
    expect(await again.text()).toContain('only failed or cancelled jobs can be retried')
    const missing = await postForm(
      base,
      '/dashboard/jobs/999999/retry',
      {},
      { authorization: `Bearer ${token}` },
    )
    expect(missing.status).toBe(404)
  })

  it('the cookie cannot trigger a job: POST /<job-name> answers 401 and writes nothing', async () => {
    const before = await admin.query(
      `select count(*)::int as n from nightshift.jobs where type = 'generate-t5-invoices'`,
    )
    const response = await fetch(`${base}/generate-t5-invoices`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(response.status).toBe(401)
    const after = await admin.query(
      `select count(*)::int as n from nightshift.jobs where type = 'generate-t5-invoices'`,
    )
    expect(after.rows[0].n).toBe(before.rows[0].n)
  })
})

describe('the chart', () => {
  it('shows the minute a job completed and a job failed', async () => {
    failNext = false
    await jobs.enqueue('send-whatsapp', {})
    await jobs.process({ limit: 100 }) // also the job the tests above put back
    await failedJob()
    const { rows } = await admin.query(
      `select date_trunc('minute', updated_at) as minute,
              count(*) filter (where status = 'completed')::int as completed,
              count(*) filter (where status = 'failed')::int as failed
       from nightshift.jobs where status in ('completed', 'failed') group by 1`,
    )
    const page = await (await fetch(`${base}/dashboard`, { headers: { cookie } })).text()
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      expect(row.completed + row.failed).toBeGreaterThan(0)
      const minute = (row.minute as Date).toISOString()
      expect(page).toContain(
        `<g data-minute="${minute}" data-completed="${row.completed}" data-failed="${row.failed}">`,
      )
    }
    expect(rows.some((row) => row.failed > 0)).toBe(true)
    expect(rows.some((row) => row.completed > 0)).toBe(true)
    expect(page.match(/<g data-minute=/g)).toHaveLength(60)
  })
})
