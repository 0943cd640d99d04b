import { createJobs, defineJob } from '@nightshift/jobs-core'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
let pool: pg.Pool
beforeAll(async () => {
  db = await createTestDatabase('transaction')
  pool = new pg.Pool({ connectionString: db.url, max: 4 })
})
afterAll(async () => {
  await pool?.end()
  await db?.drop()
})

const welcome = defineJob({ name: 'welcome', input: z.object({ user: z.string() }), run: () => {} })

async function usersWithJobs(jobs: { executor: { query: <R>(t: string) => Promise<R[]> } }) {
  const rows = await jobs.executor.query<{ user: string }>(
    `select payload->>'user' as user from nightshift.jobs order by id`,
  )
  return rows.map((row) => row.user)
}

test('enqueue with a pg client inside BEGIN: rollback leaves no job, commit keeps it', async () => {
  const jobs = createJobs({ db: pool, jobs: [welcome] })
  await jobs.migrate()
  const client = await pool.connect()
  try {
    await client.query('begin')
    await jobs.enqueue('welcome', { user: 'rolled-back' }, { db: client })
    // Another connection does not see the uncommitted job.
    expect(await usersWithJobs(jobs)).toEqual([])
    await client.query('rollback')
    await client.query('begin')
    await jobs.enqueueMany([{ name: 'welcome', input: { user: 'committed' } }], { db: client })
    await client.query('commit')
  } finally {
    client.release()
  }
  expect(await usersWithJobs(jobs)).toEqual(['committed'])
  await jobs.close()
})

test('enqueue with a Kysely transaction: rollback leaves no job, commit keeps it', async () => {
  const kysely = new Kysely<Record<string, never>>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 2 }) }),
  })
  const jobs = createJobs({ db: kysely, jobs: [welcome], schema: 'nightshift' })
  try {
    await jobs.executor.query('delete from nightshift.jobs')
    await expect(
      kysely.transaction().execute(async (trx) => {
        await jobs.enqueue('welcome', { user: 'kysely-rolled-back' }, { db: trx })
        throw new Error('abort the transaction')
      }),
    ).rejects.toThrow('abort the transaction')
    await kysely.transaction().execute(async (trx) => {
      await jobs.enqueue('welcome', { user: 'kysely-committed' }, { db: trx })
    })
    expect(await usersWithJobs(jobs)).toEqual(['kysely-committed'])
  } finally {
    await jobs.close()
    await kysely.destroy()
  }
})
