import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { raceStaleRuns } from './stale-run-race.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('stale_tx')
})
afterAll(() => db?.drop())

test('a run whose lease expires inside ctx.transaction while another worker re-runs the job: exactly one set of writes lands, 200 times', async () => {
  const tally = await raceStaleRuns(db.url, db.url, 200)
  expect(tally.wrong).toEqual([])
  // The race took both turns: some stale runs were rolled back by the fence (the case under test).
  expect(tally.staleRolledBack).toBeGreaterThan(0)
  expect(tally.staleCommittedFirst + tally.staleRolledBack).toBe(200)
  console.info('stale-run races:', tally)
}, 120_000)
