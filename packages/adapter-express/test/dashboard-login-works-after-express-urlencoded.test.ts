import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRouter } from '@nightshift/adapter-express'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import express from 'express'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const token = 'express-dashboard-token-01'
let db: TestDatabase
const definitions = [defineJob({ name: 'noop', run: () => {} })] as const
let jobs: ReturnType<typeof createJobs<typeof definitions>>
let server: Server
let base: string

beforeAll(async () => {
  db = await createTestDatabase('express_dashboard_forms')
  jobs = createJobs({ db: db.url, jobs: definitions })
  await jobs.migrate()
  const app = express()
  // Body parsers an app commonly runs before everything: the router must still see the form.
  app.use(express.urlencoded({ extended: false }), express.json())
  app.use('/functions/v1', createRouter(jobs, { auth: { tokens: [token] } }))
  server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1`
})

afterAll(async () => {
  if (server) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  await jobs?.close()
  await db?.drop()
})

test('the dashboard login form works behind express.urlencoded(), and its cookie opens the page', async () => {
  const login = await fetch(`${base}/dashboard/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  })
  expect(login.status).toBe(303)
  expect(login.headers.get('location')).toBe('../dashboard')
  // The router passes the mount path with the full URL: the cookie is scoped to the mount.
  expect(login.headers.get('set-cookie')).toMatch(
    /^nightshift_dashboard=\d+\.[0-9a-f]{64}; Path=\/functions\/v1; /,
  )
  const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string
  const page = await fetch(`${base}/dashboard`, { headers: { cookie } })
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('Finished per minute')
})

/** Where every link and form of a page leads, resolved as a browser resolves them against `pageUrl`. */
function targetsOf(html: string, pageUrl: string): string[] {
  return [...html.matchAll(/(?:href|action)="([^"]*)"/g)].map(
    (match) => new URL((match[1] as string).replaceAll('&amp;', '&'), pageUrl).pathname,
  )
}

test('at the mount path without a trailing slash, the login form and the page link inside the mount', async () => {
  const loginPage = await fetch(base)
  expect(loginPage.status).toBe(401)
  const loginTargets = targetsOf(await loginPage.text(), base)
  expect(loginTargets).toContain('/functions/v1/dashboard/login')
  const login = await fetch(`${base}/dashboard/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  })
  const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string
  const page = await fetch(base, { headers: { cookie } })
  expect(page.status).toBe(200)
  const targets = targetsOf(await page.text(), base)
  expect(targets.length).toBeGreaterThan(0)
  for (const target of targets) expect(target.startsWith('/functions/v1/')).toBe(true)
})
