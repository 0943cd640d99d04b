// A worker process for the chaos tests: runs jobs-core's long-running worker on `chaos-effect` until it is
// killed (SIGKILL, by the test) or told to stop (SIGTERM: a graceful stop, exit 0).
// argv: <database url> <leaseMs> <concurrency>
import { createJobs } from '@nightshift/jobs-core'
import pg from 'pg'
import { effectJob } from './effect-job.js'

const [url, lease, concurrencyText] = process.argv.slice(2) as [string, string, string]
const concurrency = Number(concurrencyText)
const ledger = new pg.Pool({ connectionString: url, max: 4 })
// A restart or pg_terminate_backend cuts idle connections too; the pool replaces them on next use.
ledger.on('error', () => {})
const jobs = createJobs({
  db: url,
  jobs: [effectJob(ledger)],
  leaseMs: Number(lease),
  maxConnections: concurrency + 2,
})
const worker = jobs.worker({ concurrency, pollIntervalMs: 200 })
process.stdout.write(`ready ${worker.id}\n`)
// The test holds our stdin open; should the test process die without stopping us, it closes and we
// go too rather than poll a database that is gone.
process.stdin.once('end', () => process.exit(1))
process.stdin.resume()
process.once('SIGTERM', async () => {
  await worker.stop({ timeoutMs: 10_000 })
  await jobs.close()
  await ledger.end()
  process.exit(0)
})
