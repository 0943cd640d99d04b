import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type PrivatePostgres, startPrivatePostgres } from '../test-support/private-postgres.js'
import type { ChaosEvent } from './support/chaos-event.js'
import { runChaos, workerApplicationName } from './support/chaos-run.js'
import { chaosSummary } from './support/chaos-summary.js'
import { byScale } from './support/scale.js'

// Every backend of the workers is terminated, again and again: on a PostgreSQL of this file's own.
let postgres: PrivatePostgres
beforeAll(async () => {
  postgres = await startPrivatePostgres()
})
afterAll(() => postgres?.remove())

const jobs = byScale(2_000, 40_000)
const workers = byScale(3, 4)
const concurrency = 8
const cuts = byScale(3, 30)

/** `pg_terminate_backend` on every connection the workers hold (queue, LISTEN, their own pool). */
async function cutWorkerConnections(): Promise<ChaosEvent & { backends: number }> {
  const admin = new pg.Client({ connectionString: postgres.url() })
  await admin.connect()
  try {
    // The backends are listed first and terminated after: in one statement PostgreSQL may call
    // pg_terminate_backend before it checks the name, and end every session (this one too).
    const { rows: found } = await admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
      [workerApplicationName],
    )
    const begin = Date.now()
    // The 5 s wait makes each call return once its backend has gone.
    const { rows } = await admin.query<{ n: number }>(
      'select count(*)::int as n from unnest($1::int[]) as pid where pg_terminate_backend(pid, 5000)',
      [found.map((row) => row.pid)],
    )
    return { kind: 'terminate', begin, end: Date.now(), backends: rows[0]?.n ?? 0 }
  } finally {
    await admin.end()
  }
}

test(
  `${jobs} jobs, ${workers} worker processes, every worker connection terminated ${cuts} times: none lost, each effect once, every extra run cut off`,
  async () => {
    const backends: number[] = []
    const result = await runChaos({
      postgres,
      jobs,
      workers,
      concurrency,
      leaseMs: 5_000,
      steps: cuts,
      step: async () => {
        const event = await cutWorkerConnections()
        backends.push(event.backends)
        return event
      },
    })
    console.log(
      `${chaosSummary('pg_terminate_backend on every worker connection', result)}, backends terminated ${backends.reduce((sum, n) => sum + n, 0)}`,
    )
    const { report } = result

    expect(result.unexpectedExits).toEqual([])
    expect(result.stalled).toBe(false)
    expect(result.events).toHaveLength(cuts)
    // Each cut found the workers connected (or it proved nothing).
    expect(backends.every((n) => n > 0)).toBe(true)
    expect(report.statuses).toEqual({ completed: jobs })
    expect(report.lost).toBe(0)
    expect(report.effects).toBe(jobs)
    expect(report.jobsWithoutOneEffect).toBe(0)
    expect(report.effectsWithoutRun).toBe(0)
    // Every run beyond a job's first started before a cut that began before the run that landed.
    expect(report.unexplained).toEqual([])
    expect(report.cutByEvent.reduce((sum, n) => sum + n, 0)).toBe(report.duplicates)
    for (const cut of report.cutByEvent) expect(cut).toBeLessThanOrEqual(workers * concurrency)
    expect(report.reclaimed).toBeGreaterThan(0)
  },
  byScale(180_000, 1_800_000),
)
