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
 * Enqueues `jobs` `chaos-effect` jobs into a fresh database on `postgres` (those past the last step, as it
 * begins), starts `workers` worker processes, does `step` `steps` times as the jobs complete, waits until
 * every job completed (or nothing moves for two minutes), stops the workers and accounts for every run
 * (`readLedger`).
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

  const thresholds = Array.from({ length: options.steps }, (_, i) =>
    Math.floor(options.jobs * (options.steps === 1 ? 0.4 : 0.1 + (0.75 * i) / (options.steps - 1))),
  )
  // The jobs beyond the last step's threshold (but for a twentieth of all) wait until that step begins:
  // fast workers could otherwise finish every job while an earlier step is under way, and the last step
  // would never happen. Enqueued as it begins, they keep the workers busy while it runs.
  const firstPart = Math.min(options.jobs, (thresholds.at(-1) ?? 0) + Math.ceil(options.jobs * 0.05))
  const ledger = new pg.Pool({ connectionString: url, max: 1 })
  const queue = createJobs({ db: url, jobs: [effectJob(ledger)] })
  let enqueued = 0
  const enqueueThrough = async (end: number) => {
    while (enqueued < end) {
      const size = Math.min(5_000, end - enqueued)
      const chunk = Array.from({ length: size }, (_, i) => ({
        name: 'chaos-effect' as const,
        input: { n: enqueued + i },
      }))
      await queue.enqueueMany(chunk)
      enqueued += size
    }
  }
  try {
    await queue.migrate()
    await ledger.query(effectTablesSql)
    await enqueueThrough(firstPart)
  } catch (error) {
    await queue.close()
    throw error
  } finally {
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
  // An earlier step may have restarted the database: statements on connections it cut fail before they run.
  const enqueueRest = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await enqueueThrough(options.jobs)
      } catch (error) {
        if (attempt === 20) throw error
        await sleep(500)
      }
    }
  }
  const events: ChaosEvent[] = []
  let stalled = false
  try {
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
        if (events.length === thresholds.length - 1) await enqueueRest()
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
    await queue.close()
  }
  const report = await readLedger(url, events)
  if (fleet.unexpectedExits.length === 0 && !stalled) await rm(logDir, { recursive: true, force: true })
  return { events, report, workerProcesses: fleet.started, unexpectedExits: fleet.unexpectedExits, stalled }
}
