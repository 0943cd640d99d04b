import { createJobs, defineJob, type Logger, NightshiftError } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  adminDatabaseUrl,
  createTestDatabase,
  type TestDatabase,
} from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('outage')
})
afterAll(async () => {
  await admin(`alter database "${db.name}" allow_connections true`).catch(() => {})
  await db?.drop()
})

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('process() against an unreachable database throws database_unavailable', async () => {
  const ping = defineJob({ name: 'ping', run: () => {} })
  const jobs = createJobs({ db: 'postgres://postgres@127.0.0.1:1/nowhere', jobs: [ping] })
  try {
    const error = await jobs.process().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(NightshiftError)
    expect(error).toMatchObject({ code: 'database_unavailable' })
  } finally {
    await jobs.close()
  }
})

test('process() on a database that was never migrated throws not_migrated, not database_unavailable', async () => {
  const ping = defineJob({ name: 'ping', run: () => {} })
  const jobs = createJobs({ db: db.url, jobs: [ping], schema: 'never_migrated' })
  try {
    const error = await jobs.process().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(NightshiftError)
    expect(error).toMatchObject({
      code: 'not_migrated',
      message: expect.stringContaining('never_migrated'),
      cause: expect.objectContaining({ code: '42P01' }),
    })
  } finally {
    await jobs.close()
  }
})

test('a worker whose database goes away logs, backs off, and resumes when it returns', async () => {
  const logged: string[] = []
  const logger: Logger = {
    debug() {},
    info: (message) => logged.push(message),
    warn: (message) => logged.push(message),
    error: (message) => logged.push(message),
  }
  const ran: number[] = []
  const ping = defineJob({ name: 'ping', run: () => void ran.push(Date.now()) })
  const jobs = createJobs({ db: db.url, jobs: [ping], logger })
  try {
    await jobs.migrate()
    const worker = jobs.worker({ listen: false, pollIntervalMs: 50 })
    // Cut the database off: no new connections, and the open ones are terminated.
    await admin(`alter database "${db.name}" allow_connections false`)
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${db.name}'`)
    for (let i = 0; i < 200 && !logged.some((m) => m.includes('backing off')); i++) await sleep(50)
    expect(logged).toContain('nightshift: worker could not reach the database; backing off')
    await admin(`alter database "${db.name}" allow_connections true`)

    // Enqueued through another connection; the worker picks it up once it reconnects.
    const other = createJobs({ db: db.url, jobs: [ping] })
    await other.enqueue('ping', {})
    await other.close()
    for (let i = 0; i < 400 && ran.length === 0; i++) await sleep(50)
    expect(ran).toHaveLength(1)
    expect(logged).toContain('nightshift: the database answers again')
    await worker.stop()
  } finally {
    await jobs.close()
  }
})
