import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('notify')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('with listen, an enqueued job runs without waiting for a 60 s poll', async () => {
  let ran = 0
  const ping = defineJob({ name: 'ping', run: () => void ran++ })
  const jobs = createJobs({ db: db.url, jobs: [ping] })
  const producer = createJobs({ db: db.url, jobs: [ping] })
  try {
    await jobs.migrate()
    const worker = jobs.worker({ listen: true, pollIntervalMs: 60_000 })
    // Let the worker's first claim find nothing and go to sleep on its 60 s poll.
    await sleep(500)
    for (let round = 1; round <= 3; round++) {
      await producer.enqueue('ping', {})
      // 20 s is far below the 60 s poll: only a notification can wake the worker in time.
      for (let i = 0; i < 400 && ran < round; i++) await sleep(50)
      expect(ran).toBe(round)
    }
    await worker.stop()
  } finally {
    await producer.close()
    await jobs.close()
  }
})
