import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('names')
})
afterAll(() => db?.drop())

test("process() and worker() refuse names they do not define instead of failing other processes' jobs", async () => {
  const mine = defineJob({ name: 'mine', run: () => 'ok' })
  const theirs = defineJob({ name: 'theirs', run: () => 'ok' })
  const other = createJobs({ db: db.url, jobs: [theirs] })
  const jobs = createJobs({ db: db.url, jobs: [mine] })
  try {
    await jobs.migrate()
    const { id } = await other.enqueue('theirs', {})
    await expect(jobs.process({ names: ['theirs'] })).rejects.toMatchObject({
      code: 'unknown_job',
      message: expect.stringContaining('"theirs"'),
    })
    expect(() => jobs.worker({ names: ['mine', 'theirs'], listen: false })).toThrow(/"theirs"/)
    // The other process's job was left alone and still runs there.
    expect(await jobs.getJob(id)).toMatchObject({ status: 'pending', attempts: 0 })
    expect((await jobs.process({ names: ['mine'] })).claimed).toBe(0)
    expect((await other.process()).completed).toBe(1)
  } finally {
    await other.close()
    await jobs.close()
  }
})
