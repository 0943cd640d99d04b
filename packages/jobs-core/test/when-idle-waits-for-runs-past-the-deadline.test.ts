import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let database: TestDatabase
let release: () => void = () => {}
const released = new Promise<void>((resolve) => {
  release = resolve
})

// Ends only when the test says so: it is still running when process() reaches its deadline.
const heldJob = defineJob({
  name: 'held-job',
  run: async () => {
    await released
    return { ended: true }
  },
})

beforeAll(async () => {
  database = await createTestDatabase('when_idle')
})
afterAll(async () => {
  await database?.drop()
})

it('whenIdle resolves once the runs process() left past its deadline are recorded', async () => {
  const jobs = createJobs({ db: database.url, jobs: [heldJob] })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('held-job', {})
    const report = await jobs.process({ limit: 1, deadlineMs: 20 })
    expect(report).toMatchObject({ claimed: 1, running: 1 })
    let idle = false
    const whenIdle = jobs.whenIdle().then(() => {
      idle = true
    })
    // Still running: whenIdle has not resolved, and the job is not recorded.
    await new Promise((resolve) => setImmediate(resolve))
    expect(idle).toBe(false)
    expect((await jobs.getJob(id))?.status).toBe('processing')
    release()
    await whenIdle
    expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', result: { ended: true } })
    // With nothing running it resolves at once.
    await jobs.whenIdle()
  } finally {
    await jobs.close()
  }
})
