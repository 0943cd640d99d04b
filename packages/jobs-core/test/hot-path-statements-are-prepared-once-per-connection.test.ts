import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('prepared')
})
afterAll(() => db?.drop())

const noop = defineJob({ name: 'noop', run: () => ({ ok: true }) })

/** Enqueues and processes jobs over a one-connection pool, then lists what that connection prepared. */
async function preparedAfterWork(preparedStatements: boolean | undefined): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: db.url, max: 1 })
  const schema = preparedStatements === false ? 'unprepared' : 'prepared'
  const jobs = createJobs({ db: pool, jobs: [noop], schema, preparedStatements })
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: 20 }, () => ({ name: 'noop' as const, input: {} })))
    for (let round = 0; round < 3; round++) await jobs.process({ limit: 5 })
    expect((await jobs.stats()).counts).toMatchObject({ completed: 15, pending: 5 })
    const { rows } = await pool.query<{ name: string }>(
      'select name from pg_prepared_statements order by name',
    )
    return rows.map((row) => row.name)
  } finally {
    await jobs.close()
    await pool.end()
  }
}

test('the claim and the completion are prepared once on the connection and reused, not sent as text each time', async () => {
  const names = await preparedAfterWork(undefined)
  // Claim and completion at least; each name appears once however many times it ran.
  expect(names.filter((name) => name.startsWith('nightshift_')).length).toBeGreaterThanOrEqual(2)
  expect(new Set(names).size).toBe(names.length)
})

test('preparedStatements: false prepares nothing (for poolers that reject named statements outright)', async () => {
  expect(await preparedAfterWork(false)).toEqual([])
})

// A statement planned afresh on every run costs its planning each time. PostgreSQL keeps custom plans
// when its generic plan looks dearer; with the ids as an array it costs the generic plan for ten, so a
// completion of one job (each job completed on its own) was always planned again.
test('completing one job at a time reuses a generic plan', async () => {
  const pool = new pg.Pool({ connectionString: db.url, max: 1 })
  const jobs = createJobs({ db: pool, jobs: [noop], schema: 'one_at_a_time' })
  try {
    await jobs.migrate()
    await jobs.enqueueMany(Array.from({ length: 12 }, () => ({ name: 'noop' as const, input: {} })))
    for (let round = 0; round < 12; round++) await jobs.process({ limit: 1 })
    expect((await jobs.stats()).counts).toMatchObject({ completed: 12 })
    const { rows } = await pool.query<{ generic_plans: string }>(
      `select generic_plans from pg_prepared_statements
       where statement like '%set status = ''completed''%'`,
    )
    expect(rows).toHaveLength(1)
    expect(Number(rows[0]?.generic_plans)).toBeGreaterThan(0)
  } finally {
    await jobs.close()
    await pool.end()
  }
})
