import { createHmac } from 'node:crypto'
import { createHandler, defineJob } from '@nightshift/jobs-core'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postForm } from './post-form.js'
import { serveFetchHandler } from './serve-fetch-handler.js'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const allToken = 'service-role-key-dashboard-1'
const dashboardToken = 'dashboard-only-token-0001'
const cronToken = 'cron-secret-escalation-01'
const wrongToken = 'not-a-configured-token-<b>'

const runs: string[] = []
const definitions = [
  defineJob({ name: 'run-escalation-orchestration', run: () => runs.push('ran') }),
] as const

let served: ServedJobs<typeof definitions>
let jobs: ServedJobs<typeof definitions>['jobs']
let server: ServedJobs<typeof definitions>['server']
let admin: pg.Client
let base: string

const handlerOptions = {
  basePath: '/functions/v1',
  queueRoute: 'notification-worker',
  header: 'x-scheduler-token',
  auth: {
    tokens: {
      [allToken]: '*',
      [dashboardToken]: ['dashboard'],
      [cronToken]: ['run-escalation-orchestration'],
    },
  },
} as const

function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, { headers, redirect: 'manual' })
}

/** Logs in through the form and returns the `name=value` part of the session cookie. */
async function login(token: string): Promise<string> {
  const response = await postForm(base, '/dashboard/login', { token })
  expect(response.status).toBe(303)
  const setCookie = response.headers.get('set-cookie') ?? ''
  return setCookie.split(';')[0] as string
}

function expectHtmlHeaders(response: Response) {
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
  expect(response.headers.get('content-security-policy')).toBe(
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  )
  expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  expect(response.headers.get('cache-control')).toBe('no-store')
  // Not no-referrer: that makes the browser send `Origin: null` with the page's own forms.
  expect(response.headers.get('referrer-policy')).toBe('same-origin')
}

async function rowCount(): Promise<number> {
  const { rows } = await admin.query('select count(*)::int as n from nightshift.jobs')
  return rows[0].n
}

beforeAll(async () => {
  served = await serveJobs('dashboard_login', definitions, (jobs) => createHandler(jobs, handlerOptions))
  ;({ jobs, admin, server } = served)
  base = `${server.url}/functions/v1`
})

afterAll(async () => {
  await served?.close()
})

describe('reading the dashboard needs a token with the dashboard in its scope', () => {
  it('answers a browser without credentials with a 401 HTML login form, at / and /dashboard', async () => {
    for (const path of ['/', '/dashboard']) {
      const response = await get(path)
      expect(response.status).toBe(401)
      expectHtmlHeaders(response)
      const page = await response.text()
      expect(page).toContain('<input id="token" name="token" type="password"')
      // Relative to the page, so it is right under any mount path.
      expect(page).toContain('action="dashboard/login"')
    }
  })

  it('links to the login route from every URL of the page, whatever its trailing slash', async () => {
    for (const path of [
      '/functions/v1',
      '/functions/v1/',
      '/functions/v1/dashboard',
      '/functions/v1/dashboard/',
    ]) {
      const url = `${server.url}${path}`
      const page = await (await fetch(url)).text()
      const action = /<form class="login" method="post" action="([^"]+)">/.exec(page)?.[1] as string
      expect(new URL(action, url).pathname, path).toBe('/functions/v1/dashboard/login')
    }
  })

  it('shows the page to a * token and a dashboard-scoped token, in a header or as a bearer', async () => {
    for (const headers of <Record<string, string>[]>[
      { authorization: `Bearer ${allToken}` },
      { authorization: `Bearer ${dashboardToken}` },
      { 'x-scheduler-token': dashboardToken },
    ]) {
      const response = await get('/dashboard', headers)
      expect(response.status).toBe(200)
      expectHtmlHeaders(response)
      expect(await response.text()).toContain('<meta http-equiv="refresh" content="10">')
    }
  })

  it('refuses a token without the dashboard in its scope (403) and a wrong one (401, not echoed)', async () => {
    expect((await get('/dashboard', { authorization: `Bearer ${cronToken}` })).status).toBe(403)
    const wrong = await get('/dashboard', { authorization: `Bearer ${wrongToken}` })
    expect(wrong.status).toBe(401)
    const page = await wrong.text()
    expect(page).toContain('not valid for the dashboard')
    expect(page).not.toContain('not-a-configured-token')
  })
})

describe('the login form', () => {
  it('sets an HttpOnly, SameSite=Strict cookie on the base path holding no token, and redirects 303', async () => {
    const response = await postForm(base, '/dashboard/login', { token: dashboardToken })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('../dashboard')
    const setCookie = response.headers.get('set-cookie') ?? ''
    const [pair, ...attributes] = setCookie.split('; ')
    expect(pair).toMatch(/^nightshift_dashboard=\d+\.[0-9a-f]{64}$/)
    expect(attributes).toEqual(['Path=/functions/v1', 'Max-Age=43200', 'HttpOnly', 'SameSite=Strict'])
    expect(setCookie).not.toContain(dashboardToken)
    // The value is <expiry>.<HMAC-SHA256(token, "nightshift-dashboard:<expiry>")>, as documented.
    const [expiry, mac] = (pair as string).slice('nightshift_dashboard='.length).split('.')
    expect(mac).toBe(
      createHmac('sha256', dashboardToken).update(`nightshift-dashboard:${expiry}`).digest('hex'),
    )
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(12 * 3600 - 60)

    const page = await get('/dashboard', { cookie: pair as string })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Sign out')
  })

  it('shows the form again with 401 and a message for a wrong token or one outside the dashboard, never echoing it', async () => {
    for (const token of [wrongToken, cronToken, '']) {
      const response = await postForm(base, '/dashboard/login', { token })
      expect(response.status).toBe(401)
      expect(response.headers.get('set-cookie')).toBeNull()
      expectHtmlHeaders(response)
      const page = await response.text()
      expect(page).toMatch(/not valid for the dashboard|Enter a token/)
      expect(page).toContain('action="../dashboard/login"')
      if (token) expect(page).not.toContain(token.slice(0, 12))
    }
  })

  it('refuses a login posted from another origin', async () => {
    const response = await postForm(
      base,
      '/dashboard/login',
      { token: dashboardToken },
      { origin: 'https://evil.example' },
    )
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('marks the cookie Secure when the request came over https', async () => {
    const handler = createHandler(jobs, handlerOptions)
    const response = await handler(
      new Request('https://jobs.example/functions/v1/dashboard/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${dashboardToken}`,
      }),
    )
    expect(response.status).toBe(303)
    expect(response.headers.get('set-cookie')).toMatch(/; SameSite=Strict; Secure$/)
  })

  it('takes only forms there, and the JSON routes still answer 415 to a form', async () => {
    const json = await fetch(`${base}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: dashboardToken }),
    })
    expect(json.status).toBe(415)
    const form = await postForm(
      base,
      '/run-escalation-orchestration',
      { force: 'true' },
      {
        authorization: `Bearer ${allToken}`,
      },
    )
    expect(form.status).toBe(415)
  })

  it('logout clears the cookie', async () => {
    const cookie = await login(allToken)
    const response = await postForm(base, '/dashboard/logout', {}, { cookie })
    expect(response.status).toBe(303)
    expect(response.headers.get('set-cookie')).toBe(
      'nightshift_dashboard=; Path=/functions/v1; Max-Age=0; HttpOnly; SameSite=Strict',
    )
  })
})

describe('the session cookie', () => {
  it('is refused by every route that is not the dashboard: job, queue, tick, jobs/<id>', async () => {
    const cookie = await login(allToken)
    const before = await rowCount()
    for (const [method, path] of [
      ['POST', '/run-escalation-orchestration'],
      ['POST', '/notification-worker'],
      ['POST', '/tick'],
      ['GET', '/jobs/1'],
    ] as const) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { cookie, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'POST' ? { body: '{}' } : {}),
      })
      expect(response.status, `${method} ${path}`).toBe(401)
      expect(response.headers.get('content-type')).toContain('application/json')
    }
    expect(await rowCount()).toBe(before)
    expect(runs).toEqual([])
  })

  it('is refused when expired, tampered with, or made with a token that is not configured', async () => {
    const now = Math.floor(Date.now() / 1000)
    const session = (token: string, expiry: number) =>
      `nightshift_dashboard=${expiry}.${createHmac('sha256', token).update(`nightshift-dashboard:${expiry}`).digest('hex')}`
    const good = session(dashboardToken, now + 3600)
    expect((await get('/dashboard', { cookie: good })).status).toBe(200)
    for (const cookie of [
      session(dashboardToken, now - 1), // expired
      session(dashboardToken, now + 3 * 24 * 3600), // longer than a session can be
      session('some-other-token-entirely', now + 3600),
      session(cronToken, now + 3600), // a real token, but not one that may open the dashboard
      good.replace(/.$/, (last) => (last === '0' ? '1' : '0')),
      `nightshift_dashboard=${dashboardToken}`,
    ]) {
      const response = await get('/dashboard', { cookie })
      expect(response.status, cookie).toBe(401)
      expect(await response.text()).toContain('Your session has ended')
      expect(response.headers.get('set-cookie')).toContain('Max-Age=0')
    }
  })
})

describe('other auth configurations', () => {
  it("auth: 'none' shows the page without credentials", async () => {
    const local = await serveFetchHandler(createHandler(jobs, { auth: 'none' }))
    try {
      const response = await fetch(`${local.url}/`)
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('Finished per minute')
    } finally {
      await local.close()
    }
  })

  it('with signing keys only, the login page says the dashboard needs a token', async () => {
    const local = await serveFetchHandler(
      createHandler(jobs, { auth: { signingKeys: ['signing-key-only-01'] } }),
    )
    try {
      const response = await fetch(`${local.url}/dashboard`)
      expect(response.status).toBe(401)
      const page = await response.text()
      expect(page).toContain('This dashboard needs a token')
      expect(page).not.toContain('signing-key-only-01')
      expect(page).not.toContain('type="password"')
    } finally {
      await local.close()
    }
  })

  it('dashboard: false turns the page off (404)', async () => {
    const local = await serveFetchHandler(createHandler(jobs, { auth: 'none', dashboard: false }))
    try {
      for (const path of ['/', '/dashboard']) expect((await fetch(`${local.url}${path}`)).status).toBe(404)
      const login = await fetch(`${local.url}/dashboard/login`, { method: 'POST' })
      expect(login.status).toBe(404)
    } finally {
      await local.close()
    }
  })
})
