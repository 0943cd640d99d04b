import { createJobs, defineJob, JobFailError } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('fail_error')
})
afterAll(() => db?.drop())

test('JobFailError ends the job failed on its first attempt with the message, and retry() revives it', async () => {
  let runs = 0
  const send = defineJob({
    name: 'send',
    maxAttempts: 5,
    run: () => {
      runs++
      if (runs === 1) throw new JobFailError('the provider rejected +000: not a phone number')
      return { sent: true }
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [send], schema: 'fail_error' })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('send', {})
    expect(await jobs.process()).toMatchObject({ claimed: 1, failed: 1, retried: 0 })
    expect(await jobs.getJob(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      errorMessage: 'the provider rejected +000: not a phone number',
    })
    expect(await jobs.process()).toMatchObject({ claimed: 0 })
    await jobs.retry(id)
    expect(await jobs.process()).toMatchObject({ claimed: 1, completed: 1 })
    expect(runs).toBe(2)
  } finally {
    await jobs.close()
  }
})
