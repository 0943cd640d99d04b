import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('around_run')
})
afterAll(() => db?.drop())

// Regression: `trigger` built its runner field by field and left `aroundRun` out, so a triggered run
// (every HTTP call of a job route) was never wrapped, never traced.
test('createJobs({ aroundRun }) wraps each handler run of the worker, process() and trigger', async () => {
  const wrapped: string[] = []
  const inside: boolean[] = []
  let depth = 0
  const job = defineJob({ name: 'traced', run: () => void inside.push(depth === 1) })
  const jobs = createJobs({
    db: db.url,
    jobs: [job],
    logger: false,
    aroundRun: async (run, next) => {
      wrapped.push(run.workerId.split(':')[0] as string)
      depth++
      try {
        return await next()
      } finally {
        depth--
      }
    },
  })
  try {
    await jobs.migrate()
    await jobs.enqueue('traced', {})
    await jobs.process({ limit: 1 })
    expect((await jobs.trigger('traced', {})).status).toBe('completed')
    await jobs.enqueue('traced', {})
    const worker = jobs.worker({ pollIntervalMs: 20 })
    for (let i = 0; i < 200 && wrapped.length < 3; i++)
      await new Promise((resolve) => setTimeout(resolve, 25))
    await worker.stop()
    expect(wrapped).toEqual(['process', 'trigger', 'worker'])
    expect(inside).toEqual([true, true, true])
  } finally {
    await jobs.close()
  }
})
