import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('typed_records')
})
afterAll(() => db?.drop())

const sendEmail = defineJob({
  name: 'send-email',
  input: z.object({ to: z.string(), subject: z.string() }),
  run: ({ to }) => ({ sent: true as const, to }),
})
const resize = defineJob({
  name: 'resize-image',
  input: z.object({ url: z.string(), width: z.number() }),
  run: ({ width }) => ({ bytes: width * 10 }),
})

// getJob and listJobs used to return `payload: unknown` and `result: unknown`: every read needed a cast.
// Checking `name` now narrows both to that job's types (tsc checks the @ts-expect-error lines).
test('getJob and listJobs give payload and result the types of the job named', async () => {
  const jobs = createJobs({ db: db.url, jobs: [sendEmail, resize], logger: false })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('send-email', { to: 'ada@example.com', subject: 'Hi' })
    await jobs.enqueue('resize-image', { url: 'https://x/y.png', width: 40 })
    await jobs.process({ limit: 2 })
    const job = await jobs.getJob(id)
    if (job?.name !== 'send-email') throw new Error('expected the send-email job')
    const to: string = job.payload.to
    const sent: true | undefined = job.result?.sent
    // @ts-expect-error send-email's payload has no width
    void job.payload.width
    expect([to, sent]).toEqual(['ada@example.com', true])
    const { jobs: listed } = await jobs.listJobs({ names: ['resize-image'] })
    const [image] = listed
    if (image?.name === 'resize-image') {
      const bytes: number | undefined = image.result?.bytes
      // @ts-expect-error resize-image's result has no `sent`
      void image.result?.sent
      expect(bytes).toBe(400)
    } else throw new Error('expected the resize-image job')
  } finally {
    await jobs.close()
  }
})
