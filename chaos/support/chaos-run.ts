import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createJobs } from '@nightshift/jobs-core'
import pg from 'pg'
import type { PrivatePostgres } from '../../test-support/private-postgres.js'
import type { ChaosEvent } from './chaos-event.js'
import { effectJob, effectTablesSql } from './effect-job.js'
import { type LedgerReport, readLedger } from './run-ledger.js'
import { startWorkerFleet, type UnexpectedExit, type WorkerFleet } from './worker-fleet.js'

/** The `application_name` of every worker connection, so that a test can find their backends. */
export const workerApplicationName = 'nightshift-chaos-worker'

/** Options of `runChaos`. */
export interface ChaosRunOptions {
  postgres: PrivatePostgres
  jobs: number
  workers: number
  concurrency: number
  leaseMs: number
  /** How many times to do `step`, spread over the run by progress (from 10% to 85% of the jobs done). */
  steps: number
  /** Does one piece of chaos (kill a worker, restart the database, cut connections) and says what it did. */
  step(index: number, fleet: WorkerFleet): Promise<ChaosEvent>
}

/** What `runChaos` did and what it found. */
export interface ChaosRunResult {
  events: ChaosEvent[]
  report: LedgerReport
  /** Worker processes started: the first ones and every replacement. */
  workerProcesses: number
  unexpectedExits: readonly UnexpectedExit[]
  /** Set when the jobs stopped completing for `stallMs` with some left: the run gave up waiting. */
  stalled: boolean
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** No completion for this long with jobs left: stop waiting and report what is there. */
const stallMs = 120_000

/**
 * Enqueues `jobs` `chaos-effect` jobs into a fresh database on `postgres`, starts `workers` worker
 * processes, does `step` `steps` times as the jobs complete, waits until every job completed (or nothing
 * moves for two minutes), stops the workers and accounts for every run (`readLedger`).
 *
 * @example
 * const result = await runChaos({ postgres, jobs: 2_000, workers: 3, concurrency: 8, leaseMs: 5_000,
 *   steps: 1, step: (_, fleet) => fleet.killOne() })
 * expect(result.report.lost).toBe(0)
 */
export async function runChaos(options: ChaosRunOptions): Promise<ChaosRunResult> {
  const database = `chaos_${Date.now()}`
  const admin = new pg.Client({ connectionString: options.postgres.url() })
  await admin.connect()
  await admin.query(`create database ${database}`)
  await admin.end()
  const url = options.postgres.url(database)

  const ledger = new pg.Pool({ connectionString: url, max: 1 })
  const queue = createJobs({ db: url, jobs: [effectJob(ledger)] })
  try {
    await queue.migrate()
    await ledger.query(effectTablesSql)
    for (let n = 0; n < options.jobs; n += 5_000) {
      const chunk = Array.from({ length: Math.min(5_000, options.jobs - n) }, (_, i) => ({
        name: 'chaos-effect' as const,
        input: { n: n + i },
      }))
      await queue.enqueueMany(chunk)
    }
  } finally {
    await queue.close()
    await ledger.end()
  }

  const logDir = await mkdtemp(join(tmpdir(), 'nightshift-chaos-logs-'))
  const fleet = startWorkerFleet({
    url: options.postgres.url(database, workerApplicationName),
    size: options.workers,
    leaseMs: options.leaseMs,
    concurrency: options.concurrency,
    logDir,
  })
  // The progress reads go through a pool that outlives a restart of the database.
  const progress = new pg.Pool({ connectionString: url, max: 1 })
  progress.on('error', () => {})
  const completed = async (): Promise<number | undefined> => {
    try {
      const { rows } = await progress.query<{ n: number }>(
        "select count(*)::int as n from nightshift.jobs where status = 'completed'",
      )
      return rows[0]?.n
    } catch {
      return undefined // the database is restarting
    }
  }
  const events: ChaosEvent[] = []
  let stalled = false
  try {
    const thresholds = Array.from({ length: options.steps }, (_, i) =>
      Math.floor(options.jobs * (options.steps === 1 ? 0.4 : 0.1 + (0.75 * i) / (options.steps - 1))),
    )
    let done = 0
    let lastMove = Date.now()
    while (done < options.jobs) {
      const now = await completed()
      if (now !== undefined && now > done) {
        done = now
        lastMove = Date.now()
      }
      const next = thresholds[events.length]
      if (next !== undefined && done >= next) {
        events.push(await options.step(events.length, fleet))
        continue
      }
      if (Date.now() - lastMove > stallMs) {
        stalled = true
        break
      }
      await sleep(100)
    }
    // Steps not reached (a stall) are not done; the report says how many events there were.
  } finally {
    await fleet.stop()
    await progress.end()
  }
  const report = await readLedger(url, events)
  if (fleet.unexpectedExits.length === 0 && !stalled) await rm(logDir, { recursive: true, force: true })
  return { events, report, workerProcesses: fleet.started, unexpectedExits: fleet.unexpectedExits, stalled }
}
