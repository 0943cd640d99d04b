// An app that imports the packed packages as ES modules: a job run through migrate → enqueue →
// process(), the same job over HTTP through the Express adapter, and the GitHub adapter's exports.
import { randomBytes } from 'node:crypto'
import { createRouter } from '@nightshift/adapter-express'
import { githubShortestScheduleMinutes, lintWorkflows } from '@nightshift/adapter-gha'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import express from 'express'
import { z } from 'zod'

const greet = defineJob({
  name: 'greet',
  input: z.object({ name: z.string() }),
  run: ({ name }) => ({ greeting: `hello ${name}` }),
})

const jobs = createJobs({ db: process.env.DATABASE_URL, jobs: [greet] })
await jobs.migrate()
const { id } = await jobs.enqueue('greet', { name: 'esm' })
const report = await jobs.process({ limit: 10, deadlineMs: 30_000 })

const token = randomBytes(24).toString('hex')
const app = express()
app.use('/functions/v1', createRouter(jobs, { auth: { tokens: [token] } }))
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const response = await fetch(`http://127.0.0.1:${server.address().port}/functions/v1/greet`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'express' }),
})
const overHttp = await response.json()
await new Promise((resolve) => server.close(resolve))
await jobs.close()

const findings = lintWorkflows([
  { path: 'every-minute.yml', text: 'on:\n  schedule:\n    - cron: "* * * * *"\n' },
])
console.log(
  JSON.stringify({
    node: process.version,
    jobId: id,
    report: { claimed: report.claimed, completed: report.completed },
    overHttp: { status: response.status, ok: overHttp.ok, jobStatus: overHttp.status, jobId: overHttp.jobId },
    gha: { shortestScheduleMinutes: githubShortestScheduleMinutes, findings: findings.length },
  }),
)
