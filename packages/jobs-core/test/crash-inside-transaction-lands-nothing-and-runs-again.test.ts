import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { killInsideTransaction } from './kill-inside-transaction.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('crash_tx')
})
afterAll(() => db?.drop())

test('kill -9 between the writes of ctx.transaction and its commit: nothing lands, the job runs again after the lease, one set of writes', async () => {
  const seen = await killInsideTransaction(db.url, db.url)
  expect(seen.markerPid).toBe(seen.childPid)
  // The child's insert was made, not committed; the kill rolled it back.
  expect(seen.effectsWhileHanging).toEqual([])
  expect(seen.statusWhileHanging).toBe('processing')
  expect(seen.effectsAfterKill).toEqual([])
  expect(seen.job).toMatchObject({ status: 'completed', attempts: 2, result: { pid: seen.pid } })
  expect(seen.effectsAfterRerun).toEqual([seen.pid])
})
