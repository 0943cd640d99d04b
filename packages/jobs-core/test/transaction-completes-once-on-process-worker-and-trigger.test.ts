import { createJobs, defineJob, type JobContext, NightshiftError } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
let app: pg.Pool
beforeAll(async () => {
  db = await createTestDatabase('ways_tx')
  app = new pg.Pool({ connectionString: db.url, max: 4 })
  await app.query('create table effects (job_id bigint not null, via text not null)')
})
afterAll(async () => {
  await app?.end()
  await db?.drop()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const effects = async (jobId: string) =>
  (await app.query<{ via: string }>('select via from effects where job_id = $1', [jobId])).rows.map(
    (r) => r.via,
  )

// What the handler does after its transaction committed must change nothing: the job is completed with
// fn's result, and the runner writes no second completion (its fenced write would find the row done
// and the run would be reported as not held).
const after = z.enum(['return', 'return-other', 'throw'])
function billWith(db?: (ctx: JobContext) => pg.Pool) {
  return defineJob({
    name: 'bill',
    input: z.object({ via: z.string(), after: after.default('return') }),
    run: async (input, ctx) => {
      const value = await ctx.transaction(
        async (tx) => {
          await tx.query('insert into effects (job_id, via) values ($1, $2)', [ctx.jobId, input.via])
          return { via: input.via }
        },
        db ? { db: db(ctx) } : undefined,
      )
      if (input.after === 'throw') throw new Error('after the commit')
      if (input.after === 'return-other') return { other: true }
      return value
    },
  })
}

test('process(): completed once with fn’s result, whatever the handler does after the commit', async () => {
  const jobs = createJobs({ db: db.url, jobs: [billWith()] })
  try {
    await jobs.migrate()
    for (const then of after.options) {
      const { id } = await jobs.enqueue('bill', { via: `process-${then}`, after: then })
      const report = await jobs.process({ limit: 1 })
      expect(report).toMatchObject({ claimed: 1, completed: 1, retried: 0, failed: 0, running: 0 })
      expect(await jobs.getJob(id)).toMatchObject({
        status: 'completed',
        attempts: 1,
        result: { via: `process-${then}` },
      })
      expect(await effects(id)).toEqual([`process-${then}`])
    }
  } finally {
    await jobs.close()
  }
})

test('trigger (the HTTP path) answers completed with fn’s result', async () => {
  const jobs = createJobs({ db: db.url, jobs: [billWith()] })
  try {
    await jobs.migrate()
    const answer = await jobs.trigger('bill', { via: 'trigger' }, { idempotencyKey: 'trigger-1' })
    expect(answer).toMatchObject({ status: 'completed', result: { via: 'trigger' } })
    expect(await effects(answer.jobId)).toEqual(['trigger'])
  } finally {
    await jobs.close()
  }
})

test('worker(): each job completed once, counted once', async () => {
  const jobs = createJobs({ db: db.url, jobs: [billWith()] })
  try {
    await jobs.migrate()
    const ids: string[] = []
    for (let n = 0; n < 20; n++) ids.push((await jobs.enqueue('bill', { via: `worker-${n}` })).id)
    const worker = jobs.worker({ listen: false, pollIntervalMs: 20, concurrency: 4 })
    for (let i = 0; i < 500 && worker.counts.completed < ids.length; i++) await sleep(20)
    const counts = await worker.stop()
    expect(counts).toMatchObject({ completed: 20, retried: 0, failed: 0 })
    for (const [n, id] of ids.entries()) {
      expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', result: { via: `worker-${n}` } })
      expect(await effects(id)).toEqual([`worker-${n}`])
    }
  } finally {
    await jobs.close()
  }
})

test('{ db }: the transaction opens on the app’s pg Pool (its Kysely: see transaction-on-app-kysely-…)', async () => {
  const jobs = createJobs({ db: db.url, jobs: [billWith(() => app)] })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('bill', { via: 'app-pool' })
    expect(await jobs.process({ limit: 1 })).toMatchObject({ completed: 1 })
    expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', result: { via: 'app-pool' } })
    expect(await effects(id)).toEqual(['app-pool'])
  } finally {
    await jobs.close()
  }
})

test('a second ctx.transaction in one run, or { db } that cannot open a transaction, is refused', async () => {
  const errors: unknown[] = []
  const twice = defineJob({
    name: 'twice',
    run: async (_input, ctx) => {
      const client = await app.connect()
      try {
        await ctx
          .transaction(() => 1, { db: client as unknown as pg.Pool })
          .catch((error) => errors.push(error))
      } finally {
        client.release()
      }
      await ctx.transaction(async (tx) => {
        await tx.query('insert into effects (job_id, via) values ($1, $2)', [ctx.jobId, 'once'])
        return 'first'
      })
      await ctx.transaction(() => 'second').catch((error) => errors.push(error))
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [twice] })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('twice', {})
    expect(await jobs.process({ limit: 1 })).toMatchObject({ completed: 1 })
    expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', result: 'first' })
    expect(await effects(id)).toEqual(['once'])
    expect(errors).toHaveLength(2)
    for (const error of errors) expect(error).toMatchObject({ code: 'invalid_option' })
    expect(errors[0]).toBeInstanceOf(NightshiftError)
  } finally {
    await jobs.close()
  }
})
