import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('cut_in_tx')
})
afterAll(() => db?.drop())

test('a connection cut while ctx.transaction awaits something else fails the attempt, not the process', async () => {
  // The handler holds its transaction's connection idle (as a job calling an HTTP API inside it does)
  // while the test terminates that backend. Unhandled, the client's 'error' event would end the
  // process (Vitest reports it as an uncaught error and fails the run).
  let backend: ((pid: number) => void) | undefined
  const backendPid = new Promise<number>((resolve) => {
    backend = resolve
  })
  let resume: (() => void) | undefined
  const cut = new Promise<void>((resolve) => {
    resume = resolve
  })
  const bill = defineJob({
    name: 'bill',
    maxAttempts: 3,
    run: (_input, ctx) =>
      ctx.transaction(async (tx) => {
        const { rows } = await tx.query('select pg_backend_pid() as pid')
        backend?.((rows[0] as { pid: number }).pid)
        await cut
        await tx.query('select 1')
        return { billed: true }
      }),
  })
  const jobs = createJobs({ db: db.url, jobs: [bill], logger: false })
  const admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('bill', {})
    const processed = jobs.process({ limit: 1 })
    const pid = await backendPid
    const { rows } = await admin.query('select pg_terminate_backend($1, 5000) as cut', [pid])
    expect(rows[0].cut).toBe(true)
    // Let the 'error' event reach the idle client before the handler goes on.
    await new Promise((resolve) => setTimeout(resolve, 100))
    resume?.()
    const report = await processed
    expect(report).toMatchObject({ claimed: 1, completed: 0, retried: 1 })
    const job = await jobs.getJob(id)
    expect(job).toMatchObject({ status: 'pending', attempts: 1 })
    expect(job?.errorMessage).toMatch(/terminat|Connection|connection/)
  } finally {
    await admin.end()
    await jobs.close()
  }
})
