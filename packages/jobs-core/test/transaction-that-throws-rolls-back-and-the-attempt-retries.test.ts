import { createJobs, defineJob, JobFailError } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
let direct: pg.Pool
beforeAll(async () => {
  db = await createTestDatabase('throw_tx')
  direct = new pg.Pool({ connectionString: db.url, max: 2 })
})
afterAll(async () => {
  await direct?.end()
  await db?.drop()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const effects = async (jobId: string) =>
  (
    await direct.query<{ attempt: number }>('select attempt from effects where job_id = $1', [jobId])
  ).rows.map((row) => row.attempt)

test('fn throws inside ctx.transaction: its writes roll back, the attempt fails and retries, the retry lands one set', async () => {
  const bill = defineJob({
    name: 'bill',
    input: z.object({ failFirst: z.boolean() }),
    backoff: { baseMs: 1, maxMs: 1 },
    run: (input, ctx) =>
      ctx.transaction(async (tx) => {
        await tx.query('insert into effects (job_id, attempt) values ($1, $2)', [ctx.jobId, ctx.attempt])
        if (input.failFirst && ctx.attempt === 1) throw new Error('the invoice service said no')
        return { attempt: ctx.attempt }
      }),
  })
  const jobs = createJobs({ db: db.url, jobs: [bill] })
  try {
    await jobs.migrate()
    await direct.query('create table effects (job_id bigint not null, attempt int not null)')
    const { id } = await jobs.enqueue('bill', { failFirst: true })
    const first = await jobs.process({ limit: 1 })
    expect(first).toMatchObject({ claimed: 1, completed: 0, retried: 1 })
    expect(await jobs.getJob(id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      errorMessage: 'the invoice service said no',
    })
    expect(await effects(id)).toEqual([])

    let completed = 0
    for (let i = 0; i < 100 && completed === 0; i++) {
      completed = (await jobs.process({ limit: 1 })).completed
      if (completed === 0) await sleep(20)
    }
    expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', attempts: 2, result: { attempt: 2 } })
    expect(await effects(id)).toEqual([2])
  } finally {
    await jobs.close()
  }
})

test('JobFailError thrown inside ctx.transaction: nothing lands and the job ends failed', async () => {
  const refuse = defineJob({
    name: 'refuse',
    run: (_input, ctx) =>
      ctx.transaction(async (tx) => {
        await tx.query('insert into effects (job_id, attempt) values ($1, $2)', [ctx.jobId, ctx.attempt])
        throw new JobFailError('no such customer')
      }),
  })
  const jobs = createJobs({ db: db.url, jobs: [refuse] })
  try {
    await jobs.migrate()
    await direct.query('create table if not exists effects (job_id bigint not null, attempt int not null)')
    const { id } = await jobs.enqueue('refuse', {})
    expect(await jobs.process({ limit: 1 })).toMatchObject({ claimed: 1, completed: 0, failed: 1 })
    expect(await jobs.getJob(id)).toMatchObject({ status: 'failed', errorMessage: 'no such customer' })
    expect(await effects(id)).toEqual([])
  } finally {
    await jobs.close()
  }
})
