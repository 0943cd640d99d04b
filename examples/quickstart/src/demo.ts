// `npm start`: a small real run of nightshift. Defines two jobs, enqueues them (one twice with the same
// idempotency key, one that fails and is retried), drains the queue and prints what happened.
import { createJobs, defineJob, JobCancelError } from '@nightshift/jobs-core'
import { z } from 'zod'
import { localDatabase } from './local-database.js'

const sendReminder = defineJob({
  name: 'send-payment-reminder',
  input: z.object({ bookingId: z.number().int(), email: z.email() }),
  run: async ({ bookingId, email }, ctx) => {
    console.log(`  ran send-payment-reminder for booking ${bookingId} (${email}), attempt ${ctx.attempt}`)
    return { sentTo: email }
  },
})

let flaky = 0
const createZoomMeeting = defineJob({
  name: 'create-zoom-meeting',
  input: z.object({ classId: z.number().int() }),
  backoff: { baseMs: 200, maxMs: 1000 },
  run: async ({ classId }, ctx) => {
    flaky++
    if (classId < 0) throw new JobCancelError('no such class')
    if (flaky === 1) throw new Error('Zoom answered 503')
    console.log(`  ran create-zoom-meeting for class ${classId}, attempt ${ctx.attempt}`)
    return { meetingId: 1000 + classId }
  },
})

const database = await localDatabase(process.env)
console.log(`nightshift demo, database: ${database.description}`)
const jobs = createJobs({
  db: database.url,
  jobs: [sendReminder, createZoomMeeting],
  schema: 'nightshift_demo',
})
try {
  await jobs.migrate()
  const first = await jobs.enqueue(
    'send-payment-reminder',
    { bookingId: 42, email: 'ada@example.com' },
    { idempotencyKey: `reminder:42:${new Date().toISOString().slice(0, 10)}` },
  )
  const again = await jobs.enqueue(
    'send-payment-reminder',
    { bookingId: 42, email: 'ada@example.com' },
    { idempotencyKey: `reminder:42:${new Date().toISOString().slice(0, 10)}` },
  )
  console.log(
    `enqueued reminder: job ${first.id} (created: ${first.created}); again: job ${again.id} (created: ${again.created})`,
  )
  await jobs.enqueue('create-zoom-meeting', { classId: 7 })
  try {
    await jobs.enqueue('create-zoom-meeting', { classId: 'seven' } as never)
  } catch (error) {
    console.log(`rejected bad input: ${(error as Error).message}`)
  }
  let report = await jobs.process({ limit: 10 })
  console.log('first process():', report)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  report = await jobs.process({ limit: 10 })
  console.log('second process() (after the retry delay):', report)
  console.log('stats:', await jobs.stats())
} finally {
  await jobs.close()
  await database.stop()
}
