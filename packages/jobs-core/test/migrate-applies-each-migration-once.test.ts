import { createJobs, migrationSql } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('migrate')
})
afterAll(() => db?.drop())

test('migrate() from 6 connections at once applies each migration once', async () => {
  const queues = Array.from({ length: 6 }, () => createJobs({ db: db.url, jobs: [], maxConnections: 1 }))
  try {
    const results = await Promise.all(queues.map((jobs) => jobs.migrate()))
    const applied = results.flatMap((result) => result.applied)
    const rows = await queues[0]?.executor.query<{ version: number }>(
      'select version from nightshift.migrations order by version',
    )
    const versions = rows?.map((row) => row.version) ?? []
    expect(versions.length).toBeGreaterThan(0)
    // Each version applied by exactly one of the callers.
    expect([...applied].sort((a, b) => a - b)).toEqual(versions)
    expect((await queues[0]?.migrate())?.applied).toEqual([])
  } finally {
    await Promise.all(queues.map((jobs) => jobs.close()))
  }
})

test('migrationSql() applied as one simple query leaves nothing for migrate() to apply', async () => {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const jobs = createJobs({ db: db.url, jobs: [], schema: 'own_folder' })
  try {
    // No parameters: node-postgres sends the simple query protocol, as psql does with a file.
    await client.query(migrationSql({ schema: 'own_folder' }))
    expect(await jobs.migrate()).toEqual({ applied: [] })
    // And the table works.
    const stats = await jobs.stats()
    expect(stats.counts.pending).toBe(0)
  } finally {
    await client.end()
    await jobs.close()
  }
})
