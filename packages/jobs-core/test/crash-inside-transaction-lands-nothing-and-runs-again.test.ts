import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const fixture = fileURLToPath(new URL('./fixtures/hang-in-transaction.ts', import.meta.url))
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('crash_tx')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('kill -9 between the writes of ctx.transaction and its commit: nothing lands, the job runs again after the lease, one set of writes', async () => {
  const bill = defineJob({
    name: 'bill',
    run: (_input, ctx) =>
      ctx.transaction(async (tx) => {
        await tx.query('insert into effects (job_id, pid) values ($1, $2)', [ctx.jobId, process.pid])
        return { pid: process.pid }
      }),
  })
  const jobs = createJobs({ db: db.url, jobs: [bill], leaseMs: 1000 })
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const effects = async () =>
    (await client.query<{ pid: number }>('select pid from effects order by pid')).rows.map((row) => row.pid)
  try {
    await jobs.migrate()
    // No unique key: a second set of writes would show as a second row.
    await client.query('create table effects (job_id bigint not null, pid int not null)')
    await client.query('create table started (job_id bigint not null, pid int not null)')
    const { id } = await jobs.enqueue('bill', {})

    const child = spawn(process.execPath, ['--import', 'tsx', fixture, db.url, '1000'], { stdio: 'ignore' })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    for (let i = 0; i < 300; i++) {
      const { rowCount } = await client.query('select 1 from started where job_id = $1', [id])
      if (rowCount) break
      await sleep(100)
    }
    const [started] = (await client.query<{ pid: number }>('select pid from started')).rows
    expect(started?.pid).toBe(child.pid)
    // The child's insert is made but not committed.
    expect(await effects()).toEqual([])
    expect((await jobs.getJob(id))?.status).toBe('processing')
    child.kill('SIGKILL')
    await exited
    // The killed connection's transaction is rolled back by PostgreSQL: still nothing.
    expect(await effects()).toEqual([])

    let completed = 0
    for (let i = 0; i < 100 && completed === 0; i++) {
      const report = await jobs.process({ limit: 1 })
      completed = report.completed
      if (completed === 0) await sleep(200)
    }
    expect(await jobs.getJob(id)).toMatchObject({
      status: 'completed',
      attempts: 2,
      result: { pid: process.pid },
    })
    expect(await effects()).toEqual([process.pid])
  } finally {
    await client.end()
    await jobs.close()
  }
})
