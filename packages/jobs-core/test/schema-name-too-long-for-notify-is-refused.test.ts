import { createJobs, defineJob, migrationSql, NightshiftError } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// The NOTIFY channel is `nightshift_<schema>` and PostgreSQL refuses channel names over 63 bytes, so a
// schema of 53..63 characters (a valid identifier) used to migrate and then fail every enqueue.
let db: TestDatabase
const ping = defineJob({ name: 'ping', run: () => 'pong' })

beforeAll(async () => {
  db = await createTestDatabase('schema_name_length')
})
afterAll(() => db?.drop())

test('a 53-character schema is refused up front, naming the limit, before anything is written', async () => {
  const long = `s${'x'.repeat(52)}`
  expect(long).toHaveLength(53)
  const refusal = (() => {
    try {
      createJobs({ db: db.url, jobs: [ping], schema: long })
    } catch (error) {
      return error
    }
  })()
  expect(refusal).toBeInstanceOf(NightshiftError)
  expect(refusal).toMatchObject({ code: 'invalid_option' })
  expect((refusal as Error).message).toContain('at most 52')
  expect((refusal as Error).message).toContain('63-byte')
  expect(() => migrationSql({ schema: `s${'x'.repeat(62)}` })).toThrow(/at most 52/)

  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    const schemas = await client.query('select 1 from pg_namespace where nspname = $1', [long])
    expect(schemas.rowCount).toBe(0)
  } finally {
    await client.end()
  }
})

test('a 52-character schema migrates, enqueues, notifies listeners and runs its jobs', async () => {
  const longest = `s${'x'.repeat(51)}`
  const jobs = createJobs({ db: db.url, jobs: [ping], schema: longest })
  const listener = new pg.Client({ connectionString: db.url })
  await listener.connect()
  try {
    await jobs.migrate()
    const heard = new Promise<string>((resolve) => listener.on('notification', (n) => resolve(n.channel)))
    await listener.query(`listen "nightshift_${longest}"`)
    const { id } = await jobs.enqueue('ping', {})
    expect(await heard).toBe(`nightshift_${longest}`)
    const report = await jobs.process({ limit: 1 })
    expect(report.completed).toBe(1)
    expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', result: 'pong' })
  } finally {
    await listener.end()
    await jobs.close()
  }
})
