// An app that loads the packed packages with require(): the CommonJS builds and their types' twin.
const { createJobs, defineJob } = require('@nightshift/jobs-core')
const { createRouter } = require('@nightshift/adapter-express')
const { serveJobs } = require('@nightshift/adapter-supabase')
const { z } = require('zod')

const greet = defineJob({
  name: 'greet',
  input: z.object({ name: z.string() }),
  run: ({ name }) => ({ greeting: `hello ${name}` }),
})

async function main() {
  const jobs = createJobs({ db: process.env.DATABASE_URL, jobs: [greet] })
  await jobs.migrate()
  const { id } = await jobs.enqueue('greet', { name: 'commonjs' })
  const report = await jobs.process({ limit: 10, deadlineMs: 30_000 })
  await jobs.close()
  console.log(
    JSON.stringify({
      jobId: id,
      report: { claimed: report.claimed, completed: report.completed },
      loaded: { createRouter: typeof createRouter, serveJobs: typeof serveJobs },
    }),
  )
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
