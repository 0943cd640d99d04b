import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const fixture = fileURLToPath(new URL('./fixtures/hang-worker.ts', import.meta.url))
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('crash')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('kill -9 of a process holding a job: the job runs again once its lease expires and completes', async () => {
  const ran: string[] = []
  const slow = defineJob({
    name: 'slow',
    run: (_input, ctx) => {
      ran.push(ctx.jobId)
      return { attempt: ctx.attempt }
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [slow], leaseMs: 1000 })
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    await jobs.migrate()
    await client.query('create table started (job_id bigint not null, pid int not null)')
    const { id } = await jobs.enqueue('slow', {})

    const child = spawn(process.execPath, ['--import', 'tsx', fixture, db.url, 'nightshift', '1000'], {
      stdio: 'ignore',
    })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    // Wait until the child's handler holds the job.
    for (let i = 0; i < 300; i++) {
      const { rowCount } = await client.query('select 1 from started where job_id = $1', [id])
      if (rowCount) break
      await sleep(100)
    }
    expect((await jobs.getJob(id))?.status).toBe('processing')
    child.kill('SIGKILL')
    await exited

    // While the dead worker's lease lasts, nobody else may take the job.
    // (process() right after the kill claims nothing unless the lease already ran out.)
    let completed = 0
    for (let i = 0; i < 100 && completed === 0; i++) {
      const report = await jobs.process({ limit: 1 })
      completed = report.completed
      if (completed === 0) await sleep(200)
    }
    const job = await jobs.getJob(id)
    expect(job).toMatchObject({ status: 'completed', attempts: 2, result: { attempt: 2 } })
    // started_at is the claim of the run that completed: set, and not after its completion.
    expect(job?.startedAt).toBeInstanceOf(Date)
    expect(job?.startedAt?.getTime()).toBeLessThanOrEqual(job?.completedAt?.getTime() ?? 0)
    expect(ran).toEqual([id])
    const started = await client.query('select count(*)::int as n from started')
    expect(started.rows[0].n).toBe(1)
  } finally {
    await client.end()
    await jobs.close()
  }
})
