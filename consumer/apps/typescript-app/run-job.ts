// An app in strict TypeScript, type-checked against the packed packages' declarations under
// `moduleResolution` node16 and bundler, then run from what tsc emitted.
import { createJobs, defineJob, type ProcessReport } from '@nightshift/jobs-core'
import { z } from 'zod'

const greet = defineJob({
  name: 'greet',
  input: z.object({ name: z.string() }),
  run: ({ name }) => ({ greeting: `hello ${name}` }),
})

const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) throw new Error('DATABASE_URL is not set')

const jobs = createJobs({ db: databaseUrl, jobs: [greet] })
await jobs.migrate()
// The input is typed from the schema: `{ name: 1 }` would not compile.
const { id } = await jobs.enqueue('greet', { name: 'typescript' })
const report: ProcessReport = await jobs.process({ limit: 10, deadlineMs: 30_000 })
await jobs.close()
console.log(JSON.stringify({ jobId: id, report: { claimed: report.claimed, completed: report.completed } }))
