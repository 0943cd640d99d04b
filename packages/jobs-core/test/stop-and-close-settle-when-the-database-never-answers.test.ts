import { createServer, type Server, type Socket } from 'node:net'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('unanswered')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A TCP server that accepts connections and never says a word: a database that hangs. */
async function blackHole(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  let accepted = 0
  const server: Server = createServer((socket) => {
    accepted++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `postgres://postgres@127.0.0.1:${port}/nowhere`,
    connections: () => accepted,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

const ping = defineJob({ name: 'ping', run: () => {} })

// Regression: the worker's loop waited on a claim that never came back, and stop() waited for the loop
// before its timer even started; the pool had no connect timeout, so nothing ever gave up.
test('stop() and close() settle against a server that accepts connections and never answers', async () => {
  const hole = await blackHole()
  // Timeouts far beyond the test's: stop and close must settle on their own deadline, not the pool's.
  const jobs = createJobs({
    db: hole.url,
    jobs: [ping],
    connectTimeoutMs: 600_000,
    queryTimeoutMs: 600_000,
  })
  try {
    const listening = jobs.worker({ listen: true, pollIntervalMs: 50 })
    const polling = jobs.worker({ listen: false, pollIntervalMs: 50 })
    for (let i = 0; i < 400 && hole.connections() < 2; i++) await sleep(25)
    expect(hole.connections()).toBeGreaterThanOrEqual(2)
    const counts = await Promise.all([listening.stop({ timeoutMs: 200 }), polling.stop({ timeoutMs: 200 })])
    expect(counts.map((each) => each.claimed)).toEqual([0, 0])
    await jobs.close({ timeoutMs: 200 })
  } finally {
    await hole.close()
  }
})

test('a query against a server that never answers fails once the connect timeout passes', async () => {
  const hole = await blackHole()
  const jobs = createJobs({ db: hole.url, jobs: [ping], connectTimeoutMs: 300 })
  try {
    const error = await jobs.stats().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    expect(String((error as Error).message)).toMatch(/timeout/i)
    await jobs.close({ timeoutMs: 200 })
  } finally {
    await hole.close()
  }
})

test('stop() and close() settle while PostgreSQL holds every statement of the worker behind a lock', async () => {
  const blocker = new pg.Client({ connectionString: db.url })
  // Outside the blocker's transaction, which would see one snapshot of pg_stat_activity throughout.
  const observer = new pg.Client({ connectionString: db.url })
  const jobs = createJobs({ db: db.url, jobs: [ping], schema: 'locked' })
  await blocker.connect()
  await observer.connect()
  try {
    await jobs.migrate()
    await jobs.enqueue('ping', {})
    // Every statement on the jobs table now waits for this transaction, which never ends during stop.
    await blocker.query('begin')
    await blocker.query('lock table locked.jobs in access exclusive mode')
    const worker = jobs.worker({ listen: true, pollIntervalMs: 50, prefetch: 10 })
    const waiting = async () =>
      (
        await observer.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock' and query ilike '%"locked".jobs%'`,
        )
      ).rows[0]?.n ?? 0
    for (let i = 0; i < 400 && (await waiting()) === 0; i++) await sleep(25)
    expect(await waiting()).toBeGreaterThan(0)
    const counts = await worker.stop({ timeoutMs: 200 })
    expect(counts.claimed).toBe(0)
    await jobs.close({ timeoutMs: 200 })
  } finally {
    await blocker.query('rollback').catch(() => {})
    await blocker.end()
    await observer.end()
  }
})

test('a statement PostgreSQL holds behind a lock fails once queryTimeoutMs passes, and the pool goes on', async () => {
  const blocker = new pg.Client({ connectionString: db.url })
  const jobs = createJobs({ db: db.url, jobs: [ping], schema: 'slow', queryTimeoutMs: 1000 })
  await blocker.connect()
  try {
    await jobs.migrate()
    await blocker.query('begin')
    await blocker.query('lock table slow.jobs in access exclusive mode')
    const error = await jobs.stats().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/query timed out after 1000 ms/)
    await blocker.query('rollback')
    // The statements given up on finish once the lock is gone; the next ones run (a loaded machine
    // may still be slow to answer the first of them).
    let answered = false
    for (let i = 0; i < 20 && !answered; i++)
      answered = await jobs.stats().then(
        () => true,
        () => false,
      )
    expect(answered).toBe(true)
  } finally {
    await blocker.query('rollback').catch(() => {})
    await blocker.end()
    await jobs.close()
  }
})
