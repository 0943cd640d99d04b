import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'
import { chromium } from 'playwright-core'
import { afterAll, expect, it } from 'vitest'
import { originalCurlCommands } from '../../booking/test/original-curl-commands.js'
import { npmStart, type StartedServer, stopLeftover } from './npm-start.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const run = promisify(execFile)
const chromiumPath = '/usr/bin/chromium'
// Relative, as a user leaves it: it must land under the folder `npm start` ran in (the repository's root).
const dataDir = `test-artifacts/nothing-set-${process.pid}/pg`
let server: StartedServer | undefined

afterAll(async () => {
  await stopLeftover(server)
  await rm(join(root, dataDir, '..'), { recursive: true, force: true })
})

/** Signs in to the dashboard in Chromium and reads the Zoom panel: the stand-in's local join URLs. */
async function expectZoomPanel(url: string, token: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage()
    await page.goto(`${url}/functions/v1/dashboard`)
    await page.getByLabel('Token').fill(token)
    await Promise.all([
      page.waitForURL(/\/dashboard$/),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ])
    await page.waitForLoadState()
    // A panel is its <h2> title and the table after it.
    const title = page.getByRole('heading', { name: /^Zoom meetings \(local stand-in/ })
    expect(await title.isVisible()).toBe(true)
    const table = title.locator('xpath=following-sibling::table[1]')
    expect(await table.textContent()).toContain('https://local-zoom-stand-in.invalid/j/local-')
  } finally {
    await browser.close()
  }
}

/** Waits until the jobs the start-up tick enqueued have run, so a trigger meets no running slot. */
async function settled(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    for (;;) {
      const { rowCount } = await client.query(
        "select 1 from nightshift.jobs where status in ('pending', 'processing') and scheduled_for <= now()",
      )
      if (rowCount === 0) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } finally {
    await client.end()
  }
}

it('npm start with nothing set answers the six original curl commands 200 ok, Zoom by its local stand-in', async () => {
  const unset = {
    DATABASE_URL: '',
    SUPABASE_SERVICE_ROLE_KEY: '',
    CRON_SECRET: '',
    SCHEDULER_SECRET_TOKEN: '',
    SCHEDULER_SECRET_HEADER: '',
    ZOOM_ACCOUNT_ID: '',
    ZOOM_CLIENT_ID: '',
    ZOOM_CLIENT_SECRET: '',
    NIGHTSHIFT_DATA_DIR: dataDir,
  }
  server = await npmStart(unset)
  const output = server.output()
  // The data sits where docs/getting-started.md says, under the folder npm start ran in.
  const shownDir = /embedded PostgreSQL in (\S+)/.exec(output)?.[1] ?? ''
  if (shownDir.startsWith(join(tmpdir(), 'nightshift-pg-'))) {
    // As root in a checkout the postgres user cannot enter, the data moves there (and the banner says so).
    expect(shownDir).toContain(
      join(root, dataDir)
        .replace(/[^a-z0-9]+/gi, '-')
        .slice(-40),
    )
  } else {
    expect(shownDir).toBe(join(root, dataDir))
    expect(existsSync(join(root, dataDir, 'PG_VERSION'))).toBe(true)
  }
  expect(existsSync(join(root, 'examples/express-server', dataDir))).toBe(false)
  // The banner says what runs when, instead of promising data the dashboard does not show yet.
  expect(output).toMatch(/demo data added: \d+ customers/)
  expect(output).toMatch(/generate-t5-invoices +\d{4}-\d\d-\d\dT01:00/)
  const secret = (name: string) => new RegExp(`^ {2}${name}=(\\S+)$`, 'm').exec(output)?.[1] ?? ''
  const secrets = {
    SUPABASE_SERVICE_ROLE_KEY: secret('SUPABASE_SERVICE_ROLE_KEY'),
    CRON_SECRET: secret('CRON_SECRET'),
    SCHEDULER_SECRET_TOKEN: secret('SCHEDULER_SECRET_TOKEN'),
  }
  expect(Object.values(secrets).every((value) => value.startsWith('local-'))).toBe(true)
  await settled(server.databaseUrl)

  const commands = originalCurlCommands()
  expect(Object.keys(commands).sort()).toEqual([
    'escalate-overdue-bookings',
    'generate-monthly-invoices',
    'generate-t5-invoices',
    'notification-worker',
    'run-escalation-orchestration',
    'schedule-create-zoom',
  ])
  for (const [name, command] of Object.entries(commands)) {
    const { stdout } = await run('bash', ['-c', `${command} -s -w '\\n%{http_code}'`], {
      env: {
        ...process.env,
        ...secrets,
        SUPABASE_URL: server.url,
        EDGE_FUNCTION_URL: `${server.url}/functions/v1`,
      },
    })
    const [text, status] = stdout.split(/\n(?=\d+$)/)
    const body = JSON.parse(text ?? '')
    // A job the worker claimed first is waited for by the trigger: 200 either way, never 202.
    expect({ name, status, body }).toMatchObject({ name, status: '200', body: { ok: true } })
  }

  // The stand-in's meetings are recorded on their classes, with join URLs that say they are local.
  const client = new pg.Client({ connectionString: server.databaseUrl })
  await client.connect()
  const { rows } = await client
    .query('select zoom_meeting_id, zoom_join_url from booking.classes where zoom_meeting_id is not null')
    .finally(() => client.end())
  expect(rows.length).toBeGreaterThan(0)
  for (const row of rows) {
    expect(row.zoom_meeting_id).toMatch(/^local-/)
    expect(row.zoom_join_url).toMatch(/^https:\/\/local-zoom-stand-in\.invalid\/j\/local-/)
  }

  // The example answers without advertising its framework.
  const health = await fetch(`${server.url}/functions/v1/health`)
  expect(health.headers.get('x-powered-by')).toBeNull()

  // The dashboard's Zoom panel, in a real browser.
  if (!existsSync(chromiumPath)) {
    console.warn(`skipped the browser check: no Chromium at ${chromiumPath} (apt-get install -y chromium)`)
  } else await expectZoomPanel(server.url, secrets.SUPABASE_SERVICE_ROLE_KEY)

  // Logs: one JSON object per line (the output is not a terminal), never a secret.
  server.terminate()
  expect(await server.exited).toBe(0)
  const logLines = server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
  expect(logLines.length, server.output()).toBeGreaterThan(0)
  for (const line of logLines) {
    expect(() => JSON.parse(line)).not.toThrow()
    for (const value of Object.values(secrets)) expect(line).not.toContain(value)
  }
  expect(logLines.some((line) => JSON.parse(line).msg?.includes('SIGTERM'))).toBe(true)
}, 180_000)
