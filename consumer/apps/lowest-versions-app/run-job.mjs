// An app on the lowest version of every range the packages declare (express 5.0.0, supabase-js 2.90.0,
// kysely and pg at the floors of jobs-core's ranges) and zod 3.24.0, the first zod that implements
// Standard Schema, as the job's input schema. The job runs through process(), then through the
// Express router, called with the Supabase adapter's invokeJob over supabase-js.
import { randomBytes } from 'node:crypto'
import { createRouter } from '@nightshift/adapter-express'
import { invokeJob } from '@nightshift/adapter-supabase'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import { createClient } from '@supabase/supabase-js'
import express from 'express'
import { z } from 'zod'

const greet = defineJob({
  name: 'greet',
  input: z.object({ name: z.string().min(1) }),
  run: ({ name }) => ({ greeting: `hello ${name}` }),
})

const jobs = createJobs({ db: process.env.DATABASE_URL, jobs: [greet] })
await jobs.migrate()
const { id } = await jobs.enqueue('greet', { name: 'lowest versions' })
const report = await jobs.process({ limit: 10, deadlineMs: 30_000 })
// zod 3.24's Standard Schema interface is what refuses bad input: an empty name never becomes a job.
const refused = await jobs.enqueue('greet', { name: '' }).then(
  () => 'accepted',
  (error) => error.code,
)

const key = randomBytes(24).toString('hex')
const app = express()
app.use('/functions/v1', createRouter(jobs, { auth: { tokens: [key] } }))
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const supabase = createClient(`http://127.0.0.1:${server.address().port}`, key)
const invoked = await invokeJob(supabase, 'greet', { name: 'supabase-js' })
await new Promise((resolve) => server.close(resolve))
await jobs.close()

console.log(
  JSON.stringify({
    jobId: id,
    report: { claimed: report.claimed, completed: report.completed },
    refused,
    invoked: { status: invoked.status, jobId: invoked.jobId, result: invoked.result },
  }),
)
