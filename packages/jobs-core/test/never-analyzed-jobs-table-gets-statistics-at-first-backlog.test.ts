import { randomBytes } from 'node:crypto'
import { createJobs, defineJob, type Logger } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
let admin: pg.Client
beforeAll(async () => {
  db = await createTestDatabase('statistics')
  admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
})
afterAll(async () => {
  await admin?.end()
  await db?.drop()
})

const noop = defineJob({ name: 'noop', run: async () => {} })

async function hasStatistics(schema: string): Promise<boolean> {
  const { rows } = await admin.query(
    `select from pg_stats where schemaname = $1 and tablename = 'jobs' and attname = 'status'`,
    [schema],
  )
  return rows.length > 0
}

async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let tries = 0; tries < 100; tries++) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

/** A migrated queue in `schema` holding `count` due jobs, whose table was never analyzed. */
async function queueWithJobs(schema: string, count: number, logger?: Logger) {
  const jobs = createJobs({ db: db.url, jobs: [noop], schema, logger })
  await jobs.migrate()
  await jobs.enqueueMany(Array.from({ length: count }, () => ({ name: 'noop' as const, input: {} })))
  expect(await hasStatistics(schema)).toBe(false)
  return jobs
}

function recordingLogger(lines: string[]): Logger {
  const record = (message: string) => {
    lines.push(message)
  }
  return { debug: record, info: record, warn: record, error: record }
}

// Without statistics the planner claims through a scan that reads and sorts every due job, on every
// claim (bench/RESULTS.md: 100,000 queued jobs drained ~19x slower). The first claim that finds a
// backlog analyzes the table once.
test('process() on a never-analyzed table with a backlog gathers its statistics', async () => {
  const lines: string[] = []
  const jobs = await queueWithJobs('by_process', 50, recordingLogger(lines))
  try {
    expect((await jobs.process({ limit: 10 })).completed).toBe(10)
    expect(await eventually(() => hasStatistics('by_process'))).toBe(true)
    expect(lines).toContain('nightshift: gathered planner statistics for the jobs table, which had none')
  } finally {
    await jobs.close()
  }
})

test('a worker that starts on a backlog in a never-analyzed table gathers its statistics', async () => {
  const jobs = await queueWithJobs('by_worker', 100)
  try {
    const worker = jobs.worker({ concurrency: 2 })
    expect(await eventually(() => hasStatistics('by_worker'))).toBe(true)
    await worker.stop()
  } finally {
    await jobs.close()
  }
})

test('a short claim (no backlog) does not analyze', async () => {
  const jobs = await queueWithJobs('no_backlog', 3)
  try {
    expect((await jobs.process({ limit: 10 })).completed).toBe(3)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await hasStatistics('no_backlog')).toBe(false)
  } finally {
    await jobs.close()
  }
})

// ANALYZE needs the table's owner: for another role PostgreSQL skips it with a warning. Jobs still run,
// and the log says why claims may be slow.
test('a role that cannot analyze the table runs its jobs and logs why claims may be slow', async () => {
  const role = `ns_worker_${randomBytes(4).toString('hex')}`
  await (await queueWithJobs('not_owner', 50)).close()
  await admin.query(`create role ${role} login`)
  const lines: string[] = []
  try {
    await admin.query(`grant usage on schema not_owner to ${role}`)
    await admin.query(`grant select, insert, update, delete on all tables in schema not_owner to ${role}`)
    const url = new URL(db.url)
    url.username = role
    const jobs = createJobs({
      db: url.toString(),
      jobs: [noop],
      schema: 'not_owner',
      logger: recordingLogger(lines),
    })
    try {
      expect((await jobs.process({ limit: 10 })).completed).toBe(10)
      expect(
        await eventually(async () =>
          lines.includes(
            'nightshift: the jobs table has no planner statistics and this role cannot analyze it',
          ),
        ),
      ).toBe(true)
      expect(await hasStatistics('not_owner')).toBe(false)
    } finally {
      await jobs.close()
    }
  } finally {
    await admin.query(`drop owned by ${role}`)
    await admin.query(`drop role ${role}`)
  }
})
