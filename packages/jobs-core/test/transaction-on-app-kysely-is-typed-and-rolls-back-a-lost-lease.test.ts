import { createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import {
  pgbouncerMissing,
  type RunningPgBouncer,
  startPgBouncer,
} from '../../../test-support/start-pgbouncer.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// Without the pooler (a laptop), the PgBouncer case is skipped with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

// The app's own database interface, with camelCase names through its plugin: what the handler's
// transaction is typed by and transforms with.
interface AppDatabase {
  effects: { jobId: string; via: string }
}

let db: TestDatabase
let pool: pg.Pool
let app: Kysely<AppDatabase>
let bouncer: RunningPgBouncer | undefined
beforeAll(async () => {
  db = await createTestDatabase('kysely_tx')
  if (!missing) bouncer = await startPgBouncer(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 4 })
  await pool.query('create table effects (job_id bigint not null, via text not null)')
  app = new Kysely<AppDatabase>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
})
afterAll(async () => {
  await bouncer?.stop()
  await app?.destroy()
  await db?.drop()
})

const effects = async (jobId: string) =>
  (await app.selectFrom('effects').select('via').where('jobId', '=', jobId).execute()).map((row) => row.via)

test('{ db: kysely }: fn gets the app’s Transaction<DB>, and its writes commit with the completion', async () => {
  let given: unknown
  const bill = defineJob({
    name: 'bill',
    input: z.object({ via: z.string() }),
    run: (input, ctx) =>
      ctx.transaction(
        async (trx) => {
          given = trx
          // Typed by AppDatabase: an unknown table or column does not compile.
          // @ts-expect-error 'invoices' is not a table of AppDatabase
          trx.insertInto('invoices')
          // @ts-expect-error 'job_id' is the column's SQL name; the app's type (and plugin) say jobId
          trx.insertInto('effects').values({ job_id: ctx.jobId, via: input.via })
          const rows = await trx
            .insertInto('effects')
            .values({ jobId: ctx.jobId, via: input.via })
            .returning(['jobId', 'via'])
            .execute()
          return { rows }
        },
        { db: app },
      ),
  })
  const jobs = createJobs({ db: db.url, jobs: [bill] })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('bill', { via: 'kysely' })
    expect(await jobs.process({ limit: 1 })).toMatchObject({ completed: 1, failed: 0, retried: 0 })
    // The app's own transaction object, with its plugin: the returned row is camelCase.
    expect((given as Transaction<AppDatabase>).isTransaction).toBe(true)
    expect(await jobs.getJob(id)).toMatchObject({
      status: 'completed',
      attempts: 1,
      result: { rows: [{ jobId: id, via: 'kysely' }] },
    })
    expect(await effects(id)).toEqual(['kysely'])
  } finally {
    await jobs.close()
  }
})

/**
 * Worker A runs a job whose ctx.transaction on `appDb` inserts a row and waits; its lease is made to
 * expire and worker B's process() reaps it; then A goes on. A's writes must roll back and the rerun
 * (B) must land one row. The queue is reached at `queueUrl` (directly or through a pooler).
 */
async function loseTheLeaseMidTransaction(appDb: Kysely<AppDatabase>, queueUrl: string): Promise<void> {
  let inserted!: () => void
  let proceed!: () => void
  const insertedSeen = new Promise<void>((resolve) => {
    inserted = resolve
  })
  const held = new Promise<void>((resolve) => {
    proceed = resolve
  })
  const outcomes: unknown[] = []
  const bill = defineJob({
    name: 'bill',
    run: async (_input, ctx) => {
      const first = ctx.attempt === 1
      try {
        return await ctx.transaction(
          async (trx) => {
            await trx
              .insertInto('effects')
              .values({ jobId: ctx.jobId, via: `attempt-${ctx.attempt}` })
              .execute()
            if (first) {
              inserted()
              await held
            }
            return { attempt: ctx.attempt }
          },
          { db: appDb },
        )
      } catch (error) {
        outcomes.push(error)
        throw error
      }
    },
  })
  const idle = defineJob({ name: 'idle', run: () => null })
  const a = createJobs({ db: queueUrl, jobs: [bill] })
  const b = createJobs({ db: queueUrl, jobs: [bill, idle] })
  try {
    await a.migrate()
    const { id } = await a.enqueue('bill', {})
    const runA = a.process({ limit: 1 })
    await insertedSeen
    // The lease runs out while A's transaction is open, and another worker's process() reaps it.
    await pool.query(
      `update nightshift.jobs set locked_until = now() - interval '1 millisecond' where id = $1`,
      [id],
    )
    expect(await b.process({ limit: 1, names: ['idle'] })).toMatchObject({ claimed: 0 })
    expect(await a.getJob(id)).toMatchObject({ status: 'pending' })
    proceed()
    expect(await runA).toMatchObject({ claimed: 1, completed: 0 })
    expect(outcomes).toEqual([expect.any(NightshiftError)])
    expect(outcomes[0]).toMatchObject({ code: 'lease_lost' })
    // Nothing of the stale run landed, and the job is still to run.
    expect(await effects(id)).toEqual([])
    expect(await a.getJob(id)).toMatchObject({ status: 'pending' })
    expect(await b.process({ limit: 1, names: ['bill'] })).toMatchObject({ completed: 1 })
    expect(await effects(id)).toEqual(['attempt-2'])
    expect(await a.getJob(id)).toMatchObject({ status: 'completed', result: { attempt: 2 } })
  } finally {
    await a.close()
    await b.close()
  }
}

test('{ db: kysely }: a run whose lease was lost mid-transaction rolls back its writes; the rerun writes once', () =>
  loseTheLeaseMidTransaction(app, db.url))

test.skipIf(missing)(
  '{ db: kysely } through PgBouncer in transaction mode: the lost lease rolls back, the rerun writes once',
  async () => {
    const pooled = new Kysely<AppDatabase>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: bouncer?.url, max: 4 }),
      }),
      plugins: [new CamelCasePlugin()],
    })
    try {
      await loseTheLeaseMidTransaction(pooled, bouncer?.url as string)
    } finally {
      await pooled.destroy()
    }
  },
)

test('{ db } refuses a Kysely transaction: ctx.transaction opens and commits its own', async () => {
  const errors: unknown[] = []
  const nested = defineJob({
    name: 'nested',
    run: (_input, ctx) =>
      app.transaction().execute(async (trx) => {
        // A Transaction is a Kysely to the type system; only the run-time check can tell them apart.
        const inside = trx as unknown as Kysely<AppDatabase>
        await ctx.transaction(() => 1, { db: inside }).catch((error) => errors.push(error))
      }),
  })
  const jobs = createJobs({ db: db.url, jobs: [nested] })
  try {
    await jobs.migrate()
    await jobs.enqueue('nested', {})
    expect(await jobs.process({ limit: 1 })).toMatchObject({ completed: 1 })
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid_option' })])
  } finally {
    await jobs.close()
  }
})
