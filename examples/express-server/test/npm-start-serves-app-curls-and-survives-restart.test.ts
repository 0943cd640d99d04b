import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const run = promisify(execFile)
const secrets = {
  SUPABASE_SERVICE_ROLE_KEY: 'e2e-service-role-key-0123456789',
  CRON_SECRET: 'e2e-cron-secret-0123456789',
  SCHEDULER_SECRET_TOKEN: 'e2e-scheduler-token-0123456789',
}
let dataRoot: string
let current: ChildProcess | undefined

interface Started {
  url: string
  databaseUrl: string
  output: () => string
  exited: Promise<number | null>
  serverPid: () => Promise<number>
}

/** npm runs sh, which runs node: the server is the first node process below npm. */
async function serverPidOf(pid: number): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)]).catch(() => ({
    stdout: '',
  }))
  for (const line of stdout.trim().split('\n')) {
    const [child, command] = line.trim().split(/\s+/)
    if (command === 'node') return Number(child)
    if (child) return serverPidOf(Number(child))
  }
  throw new Error('no server process found')
}

/** `npm start` as a user runs it, on this test's own data dir and a free port. */
function npmStart(): Promise<Started> {
  const proc = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      ...secrets,
      NIGHTSHIFT_DATA_DIR: join(dataRoot, 'pg'),
      PORT: '0',
      DATABASE_URL: '',
    },
    stdio: 'pipe',
  })
  current = proc
  let output = ''
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const serverPid = () => serverPidOf(proc.pid as number)
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      const url = /running at (http:\/\/\S+)\/functions\/v1/.exec(output)?.[1]
      const port = /embedded PostgreSQL in .* \(port (\d+)\)/.exec(output)?.[1]
      if (url && port) {
        resolve({
          url,
          databaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
          output: () => output,
          exited,
          serverPid,
        })
      }
    }
    proc.stdout?.on('data', onData)
    proc.stderr?.on('data', onData)
    proc.once('exit', (code) => reject(new Error(`npm start exited (${code}) before serving: ${output}`)))
  })
}

/** One of the app's curl commands, exactly as it is written, with its variables set. */
async function curl(command: string, url: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('bash', ['-c', command], {
    env: { ...process.env, ...secrets, SUPABASE_URL: url, EDGE_FUNCTION_URL: `${url}/functions/v1` },
  })
  return JSON.parse(stdout)
}

const appCurl = (fn: string, secret: string, body: string) =>
  `curl -s -X POST "\${SUPABASE_URL}/functions/v1/${fn}" \\
    -H "Authorization: Bearer \${${secret}}" \\
    -H "Content-Type: application/json" \\
    -d '${body}'`

async function count(databaseUrl: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return Number((await client.query(sql)).rows[0].count)
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'nightshift-e2e-'))
  await chmod(dataRoot, 0o755) // initdb runs as the postgres user when we are root
})

afterAll(async () => {
  // After a failed assertion the server still runs: stop it (two signals abort at once) before its
  // data dir goes, or it and its embedded PostgreSQL outlive the test.
  if (current && current.exitCode === null) {
    const exited = new Promise((resolve) => current?.once('exit', resolve))
    const pid = await serverPidOf(current.pid as number).catch(() => undefined)
    if (pid) {
      process.kill(pid, 'SIGTERM')
      process.kill(pid, 'SIGINT')
    }
    await exited
  }
  await rm(dataRoot, { recursive: true, force: true })
})

describe('npm start', () => {
  it('answers the app curl commands, runs each slot once, stops on SIGTERM with 0 and keeps state', async () => {
    const first = await npmStart()
    expect(first.output()).toContain('demo data added')
    expect(first.output()).toContain('curl -X POST')
    for (const attempt of [1, 2]) {
      const t5 = await curl(appCurl('generate-t5-invoices', 'SUPABASE_SERVICE_ROLE_KEY', '{}'), first.url)
      expect(t5, `attempt ${attempt}`).toMatchObject({ ok: true })
      expect(
        await curl(appCurl('generate-monthly-invoices', 'SUPABASE_SERVICE_ROLE_KEY', '{}'), first.url),
      ).toMatchObject({ ok: true })
      expect(
        await curl(appCurl('escalate-overdue-bookings', 'SUPABASE_SERVICE_ROLE_KEY', '{}'), first.url),
      ).toMatchObject({ ok: true })
      expect(
        await curl(appCurl('run-escalation-orchestration', 'CRON_SECRET', '{"force":false}'), first.url),
      ).toMatchObject({ ok: true })
    }
    const zoom = await curl(
      `curl -s -X POST "\${EDGE_FUNCTION_URL}/schedule-create-zoom" \\
    -H "Authorization: Bearer \${SCHEDULER_SECRET_TOKEN}" \\
    -H "Content-Type: application/json" \\
    -d '{"force_invoke":true}'`,
      first.url,
    )
    // Without ZOOM_* settings the local stand-in makes the meetings.
    expect(zoom, JSON.stringify(zoom)).toMatchObject({ ok: true, forced: true })
    // The CRON_SECRET reaches only its own job.
    expect(await curl(appCurl('generate-t5-invoices', 'CRON_SECRET', '{}'), first.url)).toMatchObject({
      ok: false,
    })
    expect(
      await curl(appCurl('notification-worker', 'SUPABASE_SERVICE_ROLE_KEY', '{"limit":10}'), first.url),
    ).toMatchObject({ ok: true })

    // Two triggers of one slot made one run each (the ticker may have enqueued it first: still one).
    for (const name of [
      'generate-t5-invoices',
      'generate-monthly-invoices',
      'escalate-overdue-bookings',
      'run-escalation-orchestration',
    ]) {
      expect(
        await count(
          first.databaseUrl,
          `select count(*) from nightshift.jobs where type = '${name}' and idempotency_key is not null`,
        ),
        name,
      ).toBe(1)
    }
    const invoices = await count(first.databaseUrl, 'select count(*) from booking.invoices')
    const duplicated = await count(
      first.databaseUrl,
      'select count(*) from (select customer_id, kind, period_key from booking.invoices group by 1, 2, 3 having count(*) > 1) d',
    )
    expect(duplicated).toBe(0)

    // SIGTERM the server (as a container runtime does) while notification jobs may be running.
    process.kill(await first.serverPid(), 'SIGTERM')
    expect(await first.exited).toBe(0)

    const second = await npmStart()
    expect(second.output()).toContain('demo data: kept from an earlier run')
    expect(await count(second.databaseUrl, 'select count(*) from booking.invoices')).toBe(invoices)
    expect(
      await count(
        second.databaseUrl,
        "select count(*) from nightshift.jobs where type = 'generate-t5-invoices'",
      ),
    ).toBeGreaterThanOrEqual(1)
    expect(
      await count(
        second.databaseUrl,
        "select count(*) from nightshift.jobs where status = 'processing' and locked_until < now()",
      ),
    ).toBe(0)
    process.kill(await second.serverPid(), 'SIGTERM')
    expect(await second.exited).toBe(0)
  }, 120_000)
})
